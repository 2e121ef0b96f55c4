// Admin account pages, progressively enhanced (everything works without this file):
// the provider choice continues as soon as a provider is picked, and the URLs to register
// select themselves on focus for copying.
(function () {
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-auto-submit]") && input.form) {
      input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
    }
  });
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("copy-value")) {
      input.select();
    }
  });
})();
