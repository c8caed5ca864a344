// Shows the bank's 3-D Secure check for a PaymentIntent, then returns to the
// order page. Stripe's webhook marks the order paid.
(function () {
  "use strict";
  var box = document.getElementById("stripe-action");
  if (!box || typeof Stripe === "undefined") return;
  var stripe = Stripe(box.dataset.publishableKey);
  stripe.handleNextAction({ clientSecret: box.dataset.clientSecret }).then(function (result) {
    if (result.error) {
      box.textContent = result.error.message;
      return;
    }
    window.location.assign(box.dataset.returnUrl);
  });
})();
