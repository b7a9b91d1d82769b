// token.js copies the token of a mailed link (/invitation#<token>,
// /password-reset#<token>) from the address's fragment, which the browser
// never sends to the server, into the form's token field, and removes the
// fragment from the address bar and history. A filled token field without
// an error is hidden: the user has nothing to do there. Without script the
// field stays visible for the user to paste the token into.
(function () {
  "use strict";
  var field = document.getElementById("token");
  if (!field) {
    return;
  }
  var token = window.location.hash.replace(/^#/, "");
  if (/^[A-Za-z0-9_-]{20,200}$/.test(token)) {
    field.value = token;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }
  var box = field.closest(".link-token");
  if (box && field.value !== "" && !box.classList.contains("has-error")) {
    box.hidden = true;
  }
})();
