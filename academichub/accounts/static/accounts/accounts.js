// Fill hidden time-zone fields with the browser's IANA zone, so new readers see
// local times from the start. The server validates the name; empty is fine.
document.addEventListener("DOMContentLoaded", function () {
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  document.querySelectorAll("input[data-detect-time-zone]").forEach(function (input) {
    if (!input.value) input.value = zone;
  });
});
