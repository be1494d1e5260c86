// "Near me" and location check-in: the phone's position fills the form's lat/lng, then the form
// is sent. Without geolocation (or refused), the form still works without a position.
(function () {
  function locate(form, then) {
    if (!navigator.geolocation) { then(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
      then();
    }, function () { then(); }, { enableHighAccuracy: true, timeout: 10000 });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-locate]") || form.dataset.located) return;
    event.preventDefault();
    locate(form, function () { form.dataset.located = "1"; form.submit(); });
  });
})();
