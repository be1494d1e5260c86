"""Photos of service done show people's homes: kept outside MEDIA_ROOT and served by a scoped view."""

from gongzhi.registry.storage import PrivateStorage

order_photos = PrivateStorage("service-photos")
