// token.js copies the token of a mailed link (/invitation#<token>,
// /password-reset#<token>) from the address's fragment, which the browser
// never sends to the server, into the form's token field, hides that
// field, and removes the fragment from the address bar and history.
// Without script the field stays visible for the user to paste the token.
(function () {
  "use strict";
  var token = window.location.hash.replace(/^#/, "");
  var field = document.getElementById("token");
  if (!field || !/^[A-Za-z0-9_-]{20,200}$/.test(token)) {
    return;
  }
  field.value = token;
  var box = field.closest(".link-token");
  if (box) {
    box.hidden = true;
  }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
})();
