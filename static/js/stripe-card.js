// Card payments with Stripe: the card number goes from Stripe's own field
// straight to Stripe; our server only ever receives the PaymentMethod id.
(function () {
  "use strict";
  var form = document.getElementById("stripe-card-form");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount("#stripe-card-element");
  var errors = document.getElementById("stripe-card-errors");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    form.querySelector("button[type=submit]").disabled = true;
    stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
      if (result.error) {
        errors.textContent = result.error.message;
        form.querySelector("button[type=submit]").disabled = false;
        return;
      }
      form.querySelector("input[name=token]").value = result.paymentMethod.id;
      form.submit();
    });
  });
})();
