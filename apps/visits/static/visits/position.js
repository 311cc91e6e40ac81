// The position of a visit is optional: filled in when the phone allows it, never waited for.
(function () {
  var lng = document.getElementById("id_lng");
  var lat = document.getElementById("id_lat");
  if (!navigator.geolocation || !lng || !lat) return;
  navigator.geolocation.getCurrentPosition(function (p) {
    lng.value = p.coords.longitude.toFixed(6);
    lat.value = p.coords.latitude.toFixed(6);
  }, function () {}, {timeout: 5000});
})();
