/* signhub: the document preview. pdf.js (static/vendor/pdfjs, loaded only when a page has
   a viewer) draws one page at a time on a canvas; the bytes come from the audited preview
   proxy. No inline scripts or styles: sizes are set through the CSSOM, which the CSP allows. */
(function () {
  "use strict";

  var ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
  var pdfjsModule = null;

  function loadPdfjs(viewer) {
    if (!pdfjsModule) {
      pdfjsModule = import(viewer.dataset.pdfjs).then(function (lib) {
        lib.GlobalWorkerOptions.workerSrc = viewer.dataset.worker;
        return lib;
      });
    }
    return pdfjsModule;
  }

  function fallback(viewer, message) {
    viewer.dataset.state = "unsupported";
    var status = viewer.querySelector("[data-pdf-status]");
    // The previewed file's own download (data-download), not the first file listed: that
    // may be the audit trail.
    var download = viewer.dataset.download;
    status.textContent = message + " ";
    if (download) {
      var link = document.createElement("a");
      link.href = download;
      link.textContent = "Download it instead.";
      status.appendChild(link);
    }
    status.classList.add("preview-fallback");
    viewer.querySelector(".pdf-toolbar").hidden = true;
    viewer.querySelector(".pdf-canvas-wrap").hidden = true;
  }

  function setup(viewer) {
    if (viewer.dataset.ready) return;
    viewer.dataset.ready = "1";
    var canvas = viewer.querySelector("[data-pdf-canvas]");
    var wrap = viewer.querySelector(".pdf-canvas-wrap");
    var status = viewer.querySelector("[data-pdf-status]");
    var pageOut = viewer.querySelector("[data-pdf-page]");
    var pagesOut = viewer.querySelector("[data-pdf-pages]");
    var zoomOut = viewer.querySelector("[data-pdf-zoom]");
    var prev = viewer.querySelector("[data-pdf-prev]");
    var next = viewer.querySelector("[data-pdf-next]");
    var doc = null, number = 1, scale = null, task = null;

    function fitScale(page) {
      var width = page.getViewport({ scale: 1 }).width;
      // The wrap has .5rem padding on each side.
      return Math.max(0.25, Math.min(3, (wrap.clientWidth - 24) / width));
    }

    function render() {
      if (!doc) return;
      doc.getPage(number).then(function (page) {
        if (scale === null) scale = fitScale(page);
        var viewport = page.getViewport({ scale: scale });
        var ratio = window.devicePixelRatio || 1;
        if (task) task.cancel();
        canvas.width = Math.floor(viewport.width * ratio);
        canvas.height = Math.floor(viewport.height * ratio);
        canvas.style.width = Math.floor(viewport.width) + "px";
        canvas.style.height = Math.floor(viewport.height) + "px";
        task = page.render({
          canvas: canvas,
          canvasContext: canvas.getContext("2d"),
          viewport: viewport,
          transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null
        });
        return task.promise.then(function () {
          task = null;
          pageOut.textContent = String(number);
          canvas.setAttribute("aria-label", "Page " + number + " of " + doc.numPages);
          zoomOut.textContent = Math.round(scale * 100) + "%";
          prev.disabled = number <= 1;
          next.disabled = number >= doc.numPages;
          viewer.dataset.state = "ready";
          viewer.dataset.renderedPage = String(number);
          status.textContent = "";
        });
      }).catch(function (error) {
        if (error && error.name === "RenderingCancelledException") return;
        fallback(viewer, "The preview could not be drawn.");
      });
    }

    function zoom(direction) {
      var current = scale || 1;
      var steps = direction > 0
        ? ZOOM_STEPS.filter(function (s) { return s > current + 0.001; })
        : ZOOM_STEPS.filter(function (s) { return s < current - 0.001; });
      if (!steps.length) return;
      scale = direction > 0 ? steps[0] : steps[steps.length - 1];
      render();
    }

    prev.addEventListener("click", function () { if (number > 1) { number -= 1; render(); } });
    next.addEventListener("click", function () {
      if (doc && number < doc.numPages) { number += 1; render(); }
    });
    viewer.querySelector("[data-pdf-zoom-in]").addEventListener("click", function () { zoom(1); });
    viewer.querySelector("[data-pdf-zoom-out]").addEventListener("click", function () { zoom(-1); });
    viewer.querySelector("[data-pdf-fit]").addEventListener("click", function () {
      scale = null; render();
    });
    viewer.addEventListener("keydown", function (event) {
      if (event.target.closest("input, textarea")) return;
      if (event.key === "PageDown") { next.click(); event.preventDefault(); }
      if (event.key === "PageUp") { prev.click(); event.preventDefault(); }
    });

    fetch(viewer.dataset.src, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 415) {
        throw { preview: "This file is not a PDF, so it cannot be shown here." };
      }
      if (!response.ok) {
        return response.text().then(function () {
          throw { preview: "The provider could not deliver the file for the preview (HTTP " +
            response.status + ")." };
        });
      }
      return response.arrayBuffer();
    }).then(function (data) {
      return loadPdfjs(viewer).then(function (lib) {
        return lib.getDocument({ data: new Uint8Array(data) }).promise;
      });
    }).then(function (loaded) {
      doc = loaded;
      pagesOut.textContent = String(doc.numPages);
      render();
    }).catch(function (error) {
      fallback(viewer, (error && error.preview) || "The file could not be read as a PDF.");
    });
  }

  function scan(root) {
    (root || document).querySelectorAll("[data-pdf-viewer]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () {
    scan(document);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      scan(event.detail.target || document);
    });
  });
})();
