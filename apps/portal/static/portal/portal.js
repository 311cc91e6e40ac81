// Resident form: locate the phone (the server says which community and grid hold the point
// and which compounds are near), and keep a double tap from sending twice (the server also
// ignores a repeated form token).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("locate");
  const status = document.getElementById("locate-status");
  const located = document.getElementById("located");
  const community = document.getElementById("id_community");

  function showLocated(html) {
    located.innerHTML = html;
    const place = located.querySelector("#located-place");
    if (place && community) {
      community.value = place.dataset.community;
      status.textContent = "✓";
    } else {
      status.textContent = "";
    }
  }

  if (button && navigator.geolocation) {
    button.addEventListener("click", () => {
      status.textContent = button.dataset.waiting;
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          const lat = pos.coords.latitude.toFixed(6);
          const lng = pos.coords.longitude.toFixed(6);
          document.getElementById("id_lat").value = lat;
          document.getElementById("id_lng").value = lng;
          fetch(`${button.dataset.url}?lat=${lat}&lng=${lng}`, { headers: { "HX-Request": "true" } })
            .then((r) => r.text())
            .then(showLocated)
            .catch(() => { status.textContent = button.dataset.failed; });
        },
        () => { status.textContent = button.dataset.failed; },
        { enableHighAccuracy: true, timeout: 10000 },
      );
    });
  }
  const form = document.getElementById("report-form");
  if (form) {
    form.addEventListener("submit", () => {
      setTimeout(() => { form.querySelector("button[type=submit]").disabled = true; }, 0);
    });
  }
});
