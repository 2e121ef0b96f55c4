// Bitrix24 install page: the install completes only once the app calls BX24.installFinish().
// A static file, so the page's CSP needs no inline script.
(function () {
  function finish() {
    if (window.BX24 && typeof window.BX24.installFinish === "function") {
      window.BX24.init(function () {
        window.BX24.installFinish();
        document.documentElement.dataset.installFinished = "1";
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", finish);
  } else {
    finish();
  }
})();
