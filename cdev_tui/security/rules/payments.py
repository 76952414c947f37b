"""Payments and shipping: Paystack, Stripe, Square, Braintree, PayPal, Adyen, Razorpay, Plaid, GoCardless,
EasyPost, Shippo, Duffel, Flutterwave.

Order matters: Paystack's live secret keys share Stripe's ``sk_live_`` prefix, so the narrower Paystack rule (40
lower-case hex characters) comes before the broad Stripe one. Publishable keys (``pk_``) are public and never
reported.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned

RULES: tuple[Rule, ...] = (
    rule(
        "paystack-secret-key",
        "Paystack live secret key",
        "high",
        ("sk_live_",),
        EDGE_LEFT + r"(sk_live_[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "PAYSTACK_SECRET_KEY=sk_live_{hex:40}",
            "curl https://api.paystack.co/transaction -H 'Authorization: Bearer sk_live_{hex:40}'",
        ),
        counter_examples=(
            "PAYSTACK_PUBLIC_KEY=pk_live_{hex:40}",
            "PAYSTACK_SECRET_KEY=sk_live_{hex:20}",
            "PAYSTACK_SECRET_KEY=sk_live_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Paystack live secret key: it charges customers, issues refunds and transfers money out of the "
        "merchant's balance. Generate new keys under Settings > API Keys & Webhooks on the Paystack dashboard, "
        "which invalidates the old secret key.",
    ),
    rule(
        "stripe-live-key",
        "Stripe live secret or restricted key",
        "high",
        ("sk_live_", "rk_live_"),
        EDGE_LEFT + r"((?:sk|rk)_live_[A-Za-z0-9]{24,247})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "STRIPE_SECRET_KEY=sk_live_{alnum:24}",
            'stripe.api_key = "sk_live_51{alnum:97}"',
            "curl https://api.stripe.com/v1/charges -u rk_live_51{alnum:97}:",
            '  "stripeSecretKey": "rk_live_{alnum:24}",',
        ),
        counter_examples=(
            "STRIPE_PUBLISHABLE_KEY=pk_live_{alnum:24}",
            "STRIPE_SECRET_KEY=sk_test_{alnum:24}",
            "STRIPE_SECRET_KEY=sk_live_{alnum:10}",
            "STRIPE_SECRET_KEY=sk_live_{=xxxxxxxxxxxxxxxxxxxxxxxx}",
            "PAYSTACK_SECRET_KEY=sk_live_{hex:40}",
        ),
        help="A Stripe live secret key (sk_live_) or restricted key (rk_live_): it moves real money, reads "
        "customers and payment data and changes the account, within a restricted key's permissions. Roll it "
        "under Developers > API keys in the Stripe dashboard (roll, or delete a restricted key).",
    ),
    rule(
        "stripe-test-key",
        "Stripe test-mode secret or restricted key",
        "low",
        ("sk_test_", "rk_test_"),
        EDGE_LEFT + r"((?:sk|rk)_test_[A-Za-z0-9]{24,247})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "STRIPE_SECRET_KEY=sk_test_{alnum:24}",
            "const stripe = require('stripe')('sk_test_51{alnum:97}');",
        ),
        counter_examples=(
            "STRIPE_PUBLISHABLE_KEY=pk_test_{alnum:24}",
            "STRIPE_SECRET_KEY=sk_test_{alnum:8}",
            "STRIPE_SECRET_KEY=sk_test_{=xxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Stripe test-mode secret or restricted key: it moves no real money but reads and changes the "
        "account's test data and reveals how the integration is set up. Roll it under Developers > API keys "
        "(test mode) in the Stripe dashboard.",
    ),
    rule(
        "stripe-webhook-secret",
        "Stripe (or Svix) webhook signing secret",
        "medium",
        ("whsec_",),
        EDGE_LEFT + r"(whsec_[A-Za-z0-9+/]{32,88}={0,2})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "STRIPE_WEBHOOK_SECRET=whsec_{alnum:32}",
            'endpoint_secret = "whsec_{hex:64}"',
            '  "signingSecret": "whsec_{b64:43}=",',
        ),
        counter_examples=(
            "STRIPE_WEBHOOK_SECRET=whsec_...",
            "STRIPE_WEBHOOK_SECRET=whsec_{alnum:12}",
            "STRIPE_WEBHOOK_SECRET=${{STRIPE_WEBHOOK_SECRET}}",
        ),
        help="A webhook endpoint signing secret (Stripe, or Svix-based senders): whoever holds it can forge "
        "signed events, such as a payment that never happened, to the endpoint. Roll the secret on the "
        "endpoint's page under Developers > Webhooks in the Stripe dashboard (or the sender's webhook settings).",
    ),
    rule(
        "square-access-token",
        "Square access token",
        "high",
        ("eaaa", "sq0atp-"),
        EDGE_LEFT + r"(EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "SQUARE_ACCESS_TOKEN=EAAA{b64url:60}",
            "curl https://connect.squareup.com/v2/payments -H 'Authorization: Bearer EAAA{b64url:60}'",
            'square_token: "sq0atp-{b64url:22}"',
        ),
        counter_examples=(
            "SQUARE_APPLICATION_ID=sq0idp-{b64url:22}",
            "SQUARE_ACCESS_TOKEN=EAAA{b64url:20}",
            "SQUARE_ACCESS_TOKEN=EAAA{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Square personal or OAuth access token: it takes payments, issues refunds and reads the "
        "seller's customers, orders and catalogue. Replace the personal token on the application's "
        "Credentials page in the Square Developer Dashboard, or revoke an OAuth token with the RevokeToken "
        "endpoint.",
    ),
    rule(
        "square-oauth-secret",
        "Square OAuth application secret",
        "high",
        ("sq0csp-",),
        EDGE_LEFT + r"(sq0csp-[A-Za-z0-9_-]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "SQUARE_APPLICATION_SECRET=sq0csp-{b64url:43}",
            'client_secret: "sq0csp-{b64url:43}"',
        ),
        counter_examples=(
            "SQUARE_APPLICATION_SECRET=sq0csp-{b64url:16}",
            "SQUARE_APPLICATION_ID=sq0idp-{b64url:43}",
        ),
        help="A Square OAuth application secret: with the application id it exchanges authorisation codes "
        "and refresh tokens for access tokens to every seller that authorised the app. Replace it on the "
        "application's OAuth page in the Square Developer Dashboard.",
    ),
    rule(
        "braintree-access-token",
        "PayPal Braintree production access token",
        "high",
        ("access_token$production$",),
        EDGE_LEFT + r"(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "BRAINTREE_ACCESS_TOKEN=access_token$production${lowernum:16}${hex:32}",
            'gateway = braintree.BraintreeGateway(access_token="access_token$production${lowernum:16}${hex:32}")',
        ),
        counter_examples=(
            "BRAINTREE_ACCESS_TOKEN=access_token$sandbox${lowernum:16}${hex:32}",
            "BRAINTREE_ACCESS_TOKEN=access_token$production${lowernum:16}${hex:12}",
        ),
        help="A Braintree access token (PayPal Express Checkout through the Braintree SDK): it creates and "
        "refunds live PayPal transactions for the merchant. Revoke it in the PayPal developer dashboard "
        "(or the Braintree Control Panel's linked PayPal account) and generate a new one.",
    ),
    rule(
        "braintree-private-key",
        "Braintree API private key",
        "medium",
        ("braintree", "bt_private_key"),
        assigned(r"braintree[a-z0-9_.:-]{0,40}?private[_.-]?key|bt_private_key", r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "BRAINTREE_PRIVATE_KEY={hex:32}",
            'Braintree::Configuration.private_key = "{hex:32}"',
            "  braintree_private_key: {hex:32}",
        ),
        counter_examples=(
            "BRAINTREE_PUBLIC_KEY={lowernum:16}",
            "BRAINTREE_PRIVATE_KEY=${{BRAINTREE_PRIVATE_KEY}}",
            "BRAINTREE_PRIVATE_KEY={hex:16}",
        ),
        help="A Braintree API private key: with the merchant id and public key it charges cards, refunds, "
        "and reads customers and vaulted payment methods. Delete the key pair under Settings > API in the "
        "Braintree Control Panel and create a new one.",
    ),
    rule(
        "paypal-access-token",
        "PayPal REST API access token",
        "medium",
        ("a21aa",),
        EDGE_LEFT + r"(A21AA[A-Za-z0-9_-]{50,200})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "curl https://api-m.paypal.com/v2/checkout/orders -H 'Authorization: Bearer A21AA{b64url:92}'",
            'PAYPAL_ACCESS_TOKEN="A21AA{b64url:92}"',
        ),
        counter_examples=(
            "PAYPAL_ACCESS_TOKEN=A21AA{b64url:20}",
            "PAYPAL_ACCESS_TOKEN=A21AA{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A PayPal OAuth access token issued to a REST app: until it expires (about nine hours) it "
        "creates orders, captures payments and issues refunds for the account. Rotate the app's client "
        "secret in the PayPal developer dashboard so no new tokens are issued with the old credentials.",
    ),
    rule(
        "paypal-client-secret",
        "PayPal REST app client secret",
        "medium",
        ("paypal",),
        assigned(r"paypal[a-z0-9_.-]{0,20}?(?:client[_.-]?)?secret", r"[A-Za-z0-9_-]{80}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "PAYPAL_CLIENT_SECRET=E{b64url:79}",
            'paypal_secret: "E{b64url:79}"',
        ),
        counter_examples=(
            "PAYPAL_CLIENT_ID=A{b64url:79}",
            "PAYPAL_CLIENT_SECRET=${{PAYPAL_CLIENT_SECRET}}",
            "PAYPAL_CLIENT_SECRET={b64url:30}",
        ),
        help="A PayPal REST app's client secret: with the client id it obtains access tokens that take "
        "payments, refund and read transactions. Generate a new secret for the app under Apps & Credentials "
        "in the PayPal developer dashboard and delete the old one.",
    ),
    rule(
        "adyen-api-key",
        "Adyen API key",
        "high",
        ("aqe",),
        EDGE_LEFT + r"(AQE[A-Za-z0-9+/]{40,200}={0,2}-[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])",
        min_entropy=4.0,
        examples=(
            "ADYEN_API_KEY=AQE{b64:93}==-{b64:43}=-{alnum:6}]{alnum:4}%{alnum:4}",
            '  "X-API-Key": "AQE{b64:90}-{b64:43}=-{alnum:16}",',
        ),
        counter_examples=(
            "ADYEN_CLIENT_KEY=live_{uppernum:32}",
            "ADYEN_API_KEY=AQE{b64:30}",
            "ADYEN_API_KEY=AQE...",
        ),
        help="An Adyen API key (web service user credential): it authorises payments, refunds and payouts "
        "and reads transaction data for the merchant accounts the API credential can reach. Generate a new "
        "key for the credential under Developers > API credentials in the Adyen Customer Area, deploy it, "
        "then revoke the old one.",
    ),
    rule(
        "razorpay-key-secret",
        "Razorpay API key secret",
        "medium",
        ("razorpay", "rzp_live_"),
        assigned(r"razorpay[a-z0-9_.-]{0,20}?secret|rzp_live_[A-Za-z0-9]{14}", r"[A-Za-z0-9]{24}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "RAZORPAY_KEY_SECRET={alnum:24}",
            "curl -u rzp_live_{alnum:14}:{alnum:24} https://api.razorpay.com/v1/payments",
            'razorpay_secret: "{alnum:24}"',
        ),
        counter_examples=(
            "RAZORPAY_KEY_ID=rzp_live_{alnum:14}",
            "curl -u rzp_test_{alnum:14}:{alnum:24} https://api.razorpay.com/v1/payments",
            "RAZORPAY_KEY_SECRET=${{RAZORPAY_KEY_SECRET}}",
        ),
        help="A Razorpay key secret: with its key id (rzp_live_) it captures payments, issues refunds and "
        "reads orders and customers. Regenerate the key under Account & Settings > API Keys on the Razorpay "
        "dashboard, which invalidates the old secret.",
    ),
    rule(
        "plaid-access-token",
        "Plaid access token",
        "high",
        ("access-production-", "access-development-"),
        EDGE_LEFT + r"(access-(?:production|development)-" + UUID + r")" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "PLAID_ACCESS_TOKEN=access-production-" + UUID_EXAMPLE,
            '{{"access_token": "access-development-' + UUID_EXAMPLE + '", "item_id": "{alnum:37}"}}',
        ),
        counter_examples=(
            "PLAID_ACCESS_TOKEN=access-sandbox-" + UUID_EXAMPLE,
            "PLAID_ACCESS_TOKEN=access-production-{hex:8}",
        ),
        help="A Plaid access token: with the client id and secret it reads the linked user's bank accounts, "
        "balances, transactions and identity. Remove the Item with /item/remove (or rotate the token with "
        "/item/access_token/invalidate) and relink if needed.",
    ),
    rule(
        "plaid-secret",
        "Plaid API secret",
        "medium",
        ("plaid",),
        assigned(r"plaid[a-z0-9_.-]{0,20}?secret(?:[_.-][a-z]{1,12})?", r"[0-9a-f]{30}"),
        min_entropy=3.0,
        examples=(
            "PLAID_SECRET={hex:30}",
            'plaid_secret_production: "{hex:30}"',
        ),
        counter_examples=(
            "PLAID_CLIENT_ID={hex:24}",
            "PLAID_SECRET=${{PLAID_SECRET}}",
        ),
        help="A Plaid API secret: with the client id it calls every Plaid product for the environment, "
        "including exchanging public tokens for access to users' bank data. Rotate it under Developers > Keys "
        "in the Plaid dashboard.",
    ),
    rule(
        "gocardless-access-token",
        "GoCardless live access token",
        "medium",
        ("gocardless",),
        assigned(r"gocardless[a-z0-9_.-]{0,20}?(?:token|key)", r"live_[A-Za-z0-9_=-]{40}"),
        min_entropy=3.5,
        examples=(
            "GOCARDLESS_ACCESS_TOKEN=live_{b64url:40}",
            'gocardless_token: "live_{b64url:40}"',
        ),
        counter_examples=(
            "GOCARDLESS_ACCESS_TOKEN=sandbox_{b64url:40}",
            "GOCARDLESS_ACCESS_TOKEN=live_{b64url:16}",
        ),
        help="A GoCardless live access token: it creates Direct Debit mandates and payments, refunds and "
        "reads customers' bank details. Revoke it under Developers > Access tokens in the GoCardless "
        "dashboard and create a new one.",
    ),
    rule(
        "easypost-api-key",
        "EasyPost API key",
        "high",
        ("ezak", "eztk"),
        EDGE_LEFT + r"(EZ[AT]K[A-Za-z0-9]{54})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "EASYPOST_API_KEY=EZAK{alnum:54}",
            "easypost.api.key=EZAK{alnum:54}",
            "curl -u EZTK{alnum:54}: https://api.easypost.com/v2/shipments",
        ),
        counter_examples=(
            "EASYPOST_API_KEY=EZAK{alnum:20}",
            "EASYPOST_API_KEY=EZAK{=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX}",
        ),
        help="An EasyPost API key (EZAK production, EZTK test): it buys postage and labels billed to the "
        "account and reads its shipments and addresses. Delete it and create a new one under Account Settings "
        "> API Keys in the EasyPost dashboard.",
    ),
    rule(
        "shippo-token",
        "Shippo API token",
        "high",
        ("shippo_live_", "shippo_test_"),
        EDGE_LEFT + r"(shippo_(?:live|test)_[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SHIPPO_TOKEN=shippo_live_{hex:40}",
            "curl -H 'Authorization: ShippoToken shippo_live_{hex:40}' https://api.goshippo.com/shipments/",
        ),
        counter_examples=(
            "SHIPPO_TOKEN=shippo_live_{hex:12}",
            "SHIPPO_TOKEN=shippo_test_{=0000000000000000000000000000000000000000}",
        ),
        help="A Shippo API token (live or test): a live one buys shipping labels billed to the account and "
        "reads its shipments and customer addresses. Regenerate it under Settings > API in the Shippo "
        "dashboard.",
    ),
    rule(
        "duffel-token",
        "Duffel access token",
        "high",
        ("duffel_live_", "duffel_test_"),
        EDGE_LEFT + r"(duffel_(?:live|test)_[A-Za-z0-9_=-]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "DUFFEL_ACCESS_TOKEN=duffel_live_{b64url:43}",
            'ENV["DUFFEL_ACCESS_TOKEN"] ||= "duffel_test_{b64url:43}"',
        ),
        counter_examples=(
            "DUFFEL_ACCESS_TOKEN=duffel_live_{b64url:10}",
            "DUFFEL_ACCESS_TOKEN=${{DUFFEL_ACCESS_TOKEN}}",
        ),
        help="A Duffel access token: a live one books and pays for flights and stays on the account and reads "
        "its orders and passengers' details. Revoke it under Developers > Access tokens in the Duffel "
        "dashboard.",
    ),
    rule(
        "flutterwave-secret-key",
        "Flutterwave live secret key",
        "high",
        ("flwseck-",),
        EDGE_LEFT + r"(FLWSECK-[0-9a-f]{32}-X)" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "FLW_SECRET_KEY=FLWSECK-{hex:32}-X",
            "Authorization: Bearer FLWSECK-{hex:32}-X",
        ),
        counter_examples=(
            "FLW_SECRET_KEY=FLWSECK_TEST-{hex:32}-X",
            "FLW_PUBLIC_KEY=FLWPUBK-{hex:32}-X",
            "FLW_SECRET_KEY=FLWSECK-{hex:12}-X",
        ),
        help="A Flutterwave live secret key: it charges customers, makes transfers and payouts and reads "
        "transactions. Generate new API keys under Settings > API Keys on the Flutterwave dashboard, which "
        "invalidates the old secret key.",
    ),
)
