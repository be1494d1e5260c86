"""What the registry's page tests share: more people in the fixture city, photos, and reading pages."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.accounts.choices import Role
from gongzhi.demo.personas import ensure_role, ensure_user

# The fixture personas, and what each may do with grid A's first household (gongzhi/registry/permissions.py).
SEES_HOUSEHOLD_A = ["grid_worker", "community_secretary", "street_officer_a", "district_officer", "city_admin"]
NOT_HOUSEHOLD_A = ["street_officer_b", "department_staff", "auditor", "resident"]


def person(city, username: str, role: str, division):
    """One more user with one role, e.g. the grid worker of another grid, or community staff."""
    user = ensure_user(username, f"{Role(role).label} {username}", phone=None)
    ensure_role(user, role, division=division)
    return user


def client_for(user) -> Client:
    c = Client()
    c.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return c


def jpeg(name: str = "visit.jpg", size=(2400, 1800), color=(90, 140, 200)) -> SimpleUploadedFile:
    """A phone-sized photo carrying EXIF (a camera make), as a phone sends it."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def not_a_photo(name: str = "note.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 this is no photo", content_type="image/jpeg")


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    page = html(response)
    return page[page.index("<main"):page.index("</main>")]


def listed(response) -> str:
    """The list part of the grid page (below the search box and the tabs)."""
    page = main(response)
    return page[page.index('id="grid-content"'):]
