// Resident form: fill the hidden position from the phone, and keep a double tap from
// sending twice (the server also ignores a repeated form token).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("locate");
  const status = document.getElementById("locate-status");
  if (button && navigator.geolocation) {
    button.addEventListener("click", () => {
      status.textContent = button.dataset.waiting;
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
          document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
          status.textContent = `✓ ${pos.coords.latitude.toFixed(5)}, ${pos.coords.longitude.toFixed(5)}`;
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
