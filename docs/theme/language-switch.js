// The link at the top right of every page to the same page in the other
// edition of the book: `한국어` on an English page, `English` on a Korean one.
//
// The English edition is the site's root and the Korean edition lives in its
// `ko/` folder (docs/TRANSLATING.md says how both are built), so the same
// page is the same path with `ko/` added after the root, or taken away.
// mdBook gives every page `path_to_root` ("", "../", ...) and sets
// <html lang> to the edition's language; nothing else is needed.
(function () {
  "use strict";
  const korean = document.documentElement.lang === "ko";
  const here = new URL(window.location.href);
  // The root of this edition, as an absolute URL.
  const root = new URL(typeof path_to_root === "string" ? path_to_root || "./" : "./", here);
  let page = here.pathname.startsWith(root.pathname)
    ? here.pathname.slice(root.pathname.length)
    : "";
  // The Korean root is `ko/` in the English one; the English root is `../`.
  const otherRoot = new URL(korean ? "../" : "ko/", root);
  const target = new URL(page, otherRoot);
  // Headings keep their English ids in Korean, so the place on the page
  // carries over too.
  target.hash = here.hash;

  const link = document.createElement("a");
  link.className = "language-switch";
  link.href = target.href;
  link.hreflang = korean ? "en" : "ko";
  link.lang = korean ? "en" : "ko";
  link.textContent = korean ? "English" : "한국어";
  link.title = korean ? "Read this page in English" : "이 페이지를 한국어로 읽기";
  link.setAttribute("aria-label", link.title);

  const buttons = document.querySelector("#mdbook-menu-bar .right-buttons, .menu-bar .right-buttons");
  if (buttons) {
    buttons.insertBefore(link, buttons.firstChild);
  }
})();
