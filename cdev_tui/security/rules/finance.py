"""Crypto exchanges and financial data and billing services (beyond the payment processors in payments.py):
Lob, Gemini, Coinbase, Kraken, KuCoin, Binance, Bittrex, Bitfinex, Finicity, Finnhub, FreshBooks, Chargebee,
Recurly, Wise, Alpaca, Polygon.io, Xero.

Few of these providers give their keys a prefix of their own, so most rules here are context rules: the
provider's name must be in the key name on the same line (see :func:`~cdev_tui.security.rules.keys.assigned`).
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned

B64_END = r"(?![A-Za-z0-9+/=])"
"""The right edge of a base64 value: not followed by a character that could extend it."""


def key_name(provider: str, words: str) -> str:
    """A key name regex: ``provider``, up to 20 name characters, one of ``words``, maybe a short suffix
    (``_key``, ``_id``)."""
    return provider + r"[a-z0-9_.-]{0,20}?(?:" + words + r")(?:[_.-][a-z]{1,12})?"


RULES: tuple[Rule, ...] = (
    rule(
        "lob-api-key",
        "Lob secret API key",
        "medium",
        ("lob",),
        assigned(r"(?<![a-z])" + key_name("lob", "key|secret"), r"(?:live|test)_[0-9a-f]{35}"),
        min_entropy=3.0,
        examples=(
            "LOB_API_KEY=live_{hex:35}",
            '  "lobApiKey": "live_{hex:35}",',
            'lob_secret_key: "test_{hex:35}"',
        ),
        counter_examples=(
            "LOB_PUBLISHABLE_KEY=live_pub_{hex:31}",
            "GLOBAL_API_KEY=live_{hex:35}",
            "LOB_API_KEY=live_{hex:20}",
            "LOB_API_KEY=live_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Lob secret API key: a live key sends real letters, postcards and checks billed to the account "
        "and reads the address book (a test key the same in test mode). Roll it under Settings > API Keys on "
        "the Lob dashboard, which invalidates the old key.",
    ),
    rule(
        "gemini-api-key",
        "Gemini exchange API key",
        "medium",
        ("gemini",),
        EDGE_LEFT + r"((?:account|master)-[A-Za-z0-9]{20})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "GEMINI_API_KEY=account-{alnum:18}7q",
            '  "X-GEMINI-APIKEY": "master-{alnum:18}k4",',
        ),
        counter_examples=(
            "GEMINI_API_KEY=account-{alnum:10}",
            "GEMINI_BRANCH=master-{lower:20}",
            "GEMINI_API_KEY=AIza{b64url:35}",
        ),
        help="A Gemini exchange API key (account- or master- scoped): with its API secret it trades, reads "
        "balances and, with the Fund Management role, withdraws funds. Delete it under Account > Settings > "
        "API on gemini.com and create a new key.",
    ),
    rule(
        "coinbase-api-secret",
        "Coinbase API secret",
        "medium",
        ("coinbase",),
        assigned(
            key_name("coinbase", "secret"),
            r"[A-Za-z0-9]{32}(?![A-Za-z0-9+/=_-])|[A-Za-z0-9+/]{86}==",
            B64_END,
        ),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "COINBASE_API_SECRET={alnum:30}7q",
            'coinbase_secret: "{b64:84}a1=="',
            '  "coinbaseApiSecret": "{alnum:30}x9",',
        ),
        counter_examples=(
            "COINBASE_API_KEY={alnum:16}",
            "COINBASE_API_SECRET=${{COINBASE_API_SECRET}}",
            "COINBASE_API_SECRET={alnum:12}",
        ),
        help="A Coinbase API secret (legacy API key or Exchange/Advanced Trade key): with its API key it "
        "trades, reads balances and, if permitted, sends or withdraws funds. Delete the key under Settings > "
        "API on Coinbase (or the Coinbase Developer Platform) and create a new one.",
    ),
    rule(
        "kraken-private-key",
        "Kraken API private key",
        "medium",
        ("kraken",),
        assigned(key_name("kraken", "private|secret|api[_.-]?sec"), r"[A-Za-z0-9+/]{86}==", B64_END),
        min_entropy=4.0,
        examples=(
            "KRAKEN_PRIVATE_KEY={b64:86}==",
            'kraken_api_secret: "{b64:86}=="',
            'KRAKEN_SECRET = "{b64:86}=="',
        ),
        counter_examples=(
            "KRAKEN_API_KEY={b64:56}",
            "KRAKEN_PRIVATE_KEY=${{KRAKEN_PRIVATE_KEY}}",
            "KRAKEN_PRIVATE_KEY={b64:30}==",
        ),
        help="A Kraken API private key: with its API key it signs requests that trade, read balances and, if "
        "the key allows, withdraw funds. Delete the key under Settings > API on Kraken and create a new one.",
    ),
    rule(
        "kraken-api-key",
        "Kraken API key",
        "low",
        ("kraken",),
        assigned(key_name("kraken", "api[_.-]?key|key"), r"[A-Za-z0-9+/]{56}", B64_END),
        min_entropy=4.0,
        mixed=True,
        examples=(
            "KRAKEN_API_KEY={b64:54}a1",
            'kraken_key: "{b64:54}Z9"',
        ),
        counter_examples=(
            "KRAKEN_API_KEY={b64:20}",
            "KRAKEN_API_KEY=${{KRAKEN_API_KEY}}",
            "KRAKEN_PRIVATE_KEY={b64:86}==",
        ),
        help="A Kraken API key: the public half of a key pair, useless without its private key but a sign "
        "that the private key may be nearby. Delete the key under Settings > API on Kraken if its private key "
        "leaked too.",
    ),
    rule(
        "kucoin-api-key",
        "KuCoin API key",
        "medium",
        ("kucoin",),
        assigned(key_name("kucoin", "key"), r"[0-9a-f]{24}"),
        min_entropy=3.0,
        examples=(
            "KUCOIN_API_KEY={hex:24}",
            'kucoin_key: "{hex:24}"',
        ),
        counter_examples=(
            "KUCOIN_API_KEY={hex:12}",
            "KUCOIN_API_KEY=${{KUCOIN_API_KEY}}",
            "KUCOIN_API_KEY=" + UUID_EXAMPLE,
        ),
        help="A KuCoin API key: with its secret and passphrase it trades, reads balances and, if permitted, "
        "transfers or withdraws funds. Delete it under API Management in the KuCoin account and create a new "
        "one.",
    ),
    rule(
        "kucoin-api-secret",
        "KuCoin API secret",
        "medium",
        ("kucoin",),
        assigned(key_name("kucoin", "secret"), UUID),
        min_entropy=3.0,
        examples=(
            "KUCOIN_API_SECRET=" + UUID_EXAMPLE,
            'kucoin_secret: "' + UUID_EXAMPLE + '"',
        ),
        counter_examples=(
            "KUCOIN_API_SECRET={hex:24}",
            "KUCOIN_API_SECRET=${{KUCOIN_API_SECRET}}",
        ),
        help="A KuCoin API secret: with its API key and passphrase it signs requests that trade, read balances "
        "and, if permitted, withdraw funds. Delete the key under API Management in the KuCoin account and "
        "create a new one.",
    ),
    rule(
        "binance-api-key",
        "Binance API key or secret",
        "medium",
        ("binance",),
        assigned(key_name("binance", "key|secret"), r"[A-Za-z0-9]{64}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "BINANCE_API_KEY={alnum:62}a1",
            'binance_secret: "{alnum:62}Q7"',
            "client = Client(binance_api_key='{alnum:62}x0', binance_api_secret=None)",
        ),
        counter_examples=(
            "BINANCE_API_KEY={alnum:32}",
            "BINANCE_API_SECRET=${{BINANCE_API_SECRET}}",
            "BINANCE_API_SECRET={=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Binance API key or secret: the pair trades, reads balances and, if enabled, withdraws funds. "
        "Delete the key under Account > API Management on Binance and create a new one.",
    ),
    rule(
        "bittrex-api-key",
        "Bittrex API key or secret",
        "medium",
        ("bittrex",),
        assigned(key_name("bittrex", "key|secret"), r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "BITTREX_API_KEY={hex:32}",
            'bittrex_secret: "{hex:32}"',
        ),
        counter_examples=(
            "BITTREX_API_KEY={hex:16}",
            "BITTREX_API_SECRET=${{BITTREX_API_SECRET}}",
        ),
        help="A Bittrex API key or secret: the pair trades, reads balances and, if permitted, withdraws "
        "funds. Delete the key under Account > API Keys on Bittrex and create a new one.",
    ),
    rule(
        "bitfinex-api-key",
        "Bitfinex API key or secret",
        "medium",
        ("bitfinex",),
        assigned(key_name("bitfinex", "key|secret"), r"[A-Za-z0-9]{43}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "BITFINEX_API_KEY={alnum:41}b2",
            'bitfinex_api_secret: "{alnum:41}Z5"',
        ),
        counter_examples=(
            "BITFINEX_API_KEY={alnum:20}",
            "BITFINEX_API_SECRET=${{BITFINEX_API_SECRET}}",
        ),
        help="A Bitfinex API key or secret: the pair trades, reads balances and, if permitted, withdraws "
        "funds. Revoke the key under Account > API Keys on Bitfinex and create a new one.",
    ),
    rule(
        "finicity-client-secret",
        "Finicity (Mastercard Open Banking) partner secret",
        "medium",
        ("finicity",),
        assigned(key_name("finicity", "secret"), r"[A-Za-z0-9]{20}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "FINICITY_PARTNER_SECRET={alnum:18}k3",
            'finicity_secret: "{alnum:18}7B"',
        ),
        counter_examples=(
            "FINICITY_PARTNER_ID={digits:13}",
            "FINICITY_PARTNER_SECRET={alnum:8}",
            "FINICITY_PARTNER_SECRET=${{FINICITY_PARTNER_SECRET}}",
        ),
        help="A Finicity (Mastercard Open Banking) partner secret: with the partner id and app key it obtains "
        "tokens that read connected customers' bank accounts and transactions. Rotate it in the Mastercard "
        "Developers portal (or through the partner secret endpoint).",
    ),
    rule(
        "finicity-app-key",
        "Finicity (Mastercard Open Banking) app key",
        "medium",
        ("finicity",),
        assigned(key_name("finicity", "app[_.-]?key|key"), r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "FINICITY_APP_KEY={hex:32}",
            '  "Finicity-App-Key": "{hex:32}",',
        ),
        counter_examples=(
            "FINICITY_APP_KEY={hex:16}",
            "FINICITY_APP_KEY=${{FINICITY_APP_KEY}}",
        ),
        help="A Finicity (Mastercard Open Banking) app key: sent with every API call, with the partner "
        "credentials it reads connected customers' bank data. Replace it for the application in the "
        "Mastercard Developers portal.",
    ),
    rule(
        "finnhub-api-token",
        "Finnhub API token",
        "medium",
        ("finnhub",),
        assigned(key_name("finnhub", "key|token") + r"|finnhub\.io/[^\s'\"]*?[?&]token", r"[a-z0-9]{20}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "FINNHUB_API_KEY={lowernum:18}a0",
            "curl 'https://finnhub.io/api/v1/quote?symbol=AAPL&token={lowernum:18}c4'",
            'finnhub_client = finnhub.Client(finnhub_token="{lowernum:18}z8")',
        ),
        counter_examples=(
            "FINNHUB_API_KEY={lowernum:10}",
            "FINNHUB_API_KEY=${{FINNHUB_API_KEY}}",
            "FINNHUB_API_KEY=sandbox_{lowernum:8}",
        ),
        help="A Finnhub API token: it calls the market data API on the account's plan and quota. Reset it "
        "on the Finnhub dashboard, which issues a new token.",
    ),
    rule(
        "freshbooks-access-token",
        "FreshBooks access token",
        "medium",
        ("freshbooks",),
        assigned(key_name("freshbooks", "token|secret|key"), r"[0-9a-f]{64}"),
        min_entropy=3.0,
        examples=(
            "FRESHBOOKS_ACCESS_TOKEN={hex:64}",
            'freshbooks_client_secret: "{hex:64}"',
        ),
        counter_examples=(
            "FRESHBOOKS_ACCESS_TOKEN={hex:32}",
            "FRESHBOOKS_ACCESS_TOKEN=${{FRESHBOOKS_ACCESS_TOKEN}}",
        ),
        help="A FreshBooks OAuth access token or client secret: it reads and changes invoices, clients, "
        "expenses and payments of the business. Revoke the token (or reset the app's secret) under the app's "
        "settings on the FreshBooks developer page.",
    ),
    rule(
        "chargebee-api-key",
        "Chargebee API key",
        "medium",
        ("chargebee",),
        assigned(key_name("chargebee", "key|token|secret"), r"(?:live|test)_[A-Za-z0-9]{26,40}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "CHARGEBEE_API_KEY=live_{alnum:30}r5",
            'chargebee_key: "test_{alnum:24}Q1"',
            "ChargeBee.configure(site: 'acme', chargebee_api_key: 'live_{alnum:36}p7')",
        ),
        counter_examples=(
            "CHARGEBEE_API_KEY=live_{alnum:10}",
            "CHARGEBEE_API_KEY=${{CHARGEBEE_API_KEY}}",
            "CHARGEBEE_SITE=acme-test",
        ),
        help="A Chargebee API key: it manages subscriptions, customers, invoices and payment sources of the "
        "site (within the key's access level). Delete it under Settings > Configure Chargebee > API Keys and "
        "create a new one.",
    ),
    rule(
        "recurly-api-key",
        "Recurly private API key",
        "medium",
        ("recurly",),
        assigned(key_name("recurly", "key|secret"), r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "RECURLY_API_KEY={hex:32}",
            "client = recurly.Client(recurly_api_key='{hex:32}')",
        ),
        counter_examples=(
            "RECURLY_PUBLIC_KEY={=ewr1}-{alnum:22}",
            "RECURLY_API_KEY={hex:16}",
            "RECURLY_API_KEY=${{RECURLY_API_KEY}}",
        ),
        help="A Recurly private API key: it manages subscriptions, accounts, billing info and refunds of the "
        "site. Regenerate or delete it under Integrations > API Credentials in the Recurly app.",
    ),
    rule(
        "wise-api-token",
        "Wise (TransferWise) API token",
        "medium",
        ("wise",),
        assigned(r"(?<![a-z])" + key_name("(?:transfer)?wise", "key|token"), UUID),
        min_entropy=3.0,
        examples=(
            "WISE_API_TOKEN=" + UUID_EXAMPLE,
            'transferwise_api_key: "' + UUID_EXAMPLE + '"',
        ),
        counter_examples=(
            "OTHERWISE_TOKEN=" + UUID_EXAMPLE,
            "WISE_API_TOKEN={hex:16}",
            "WISE_API_TOKEN=${{WISE_API_TOKEN}}",
        ),
        help="A Wise (TransferWise) personal API token: it reads balances and statements and, with full "
        "access, creates and funds transfers. Revoke it under Settings > API tokens in the Wise account.",
    ),
    rule(
        "alpaca-api-secret",
        "Alpaca trading API secret key",
        "medium",
        ("alpaca", "apca"),
        assigned(key_name("(?:alpaca|apca)", "secret"), r"[A-Za-z0-9]{40}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "APCA_API_SECRET_KEY={alnum:38}t6",
            "curl https://api.alpaca.markets/v2/account -H 'APCA-API-SECRET-KEY: {alnum:38}G2'",
            'alpaca_secret: "{alnum:38}m4"',
        ),
        counter_examples=(
            "APCA_API_KEY_ID=PK{uppernum:18}",
            "APCA_API_SECRET_KEY={alnum:20}",
            "APCA_API_SECRET_KEY=${{APCA_API_SECRET_KEY}}",
        ),
        help="An Alpaca trading API secret key: with its key id it places orders and reads positions and "
        "balances of a live (AK) or paper (PK) account. Regenerate the key pair on the Alpaca dashboard, which "
        "revokes the old secret.",
    ),
    rule(
        "alpaca-api-key-id",
        "Alpaca trading API key id",
        "low",
        ("alpaca", "apca"),
        assigned(key_name("(?:alpaca|apca)", "key"), r"[AP]K[A-Z0-9]{16,20}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "APCA_API_KEY_ID=PK{uppernum:16}R2",
            "ALPACA_API_KEY=AK{uppernum:16}7X",
        ),
        counter_examples=(
            "APCA_API_KEY_ID=PK{uppernum:6}",
            "APCA_API_KEY_ID=${{APCA_API_KEY_ID}}",
        ),
        help="An Alpaca trading API key id: the public half of a key pair, useless without its secret key but "
        "a sign the secret may be nearby. Regenerate the key pair on the Alpaca dashboard if the secret "
        "leaked too.",
    ),
    rule(
        "polygon-api-key",
        "Polygon.io API key",
        "medium",
        ("polygon",),
        assigned(key_name("polygon", "key") + r"|polygon\.io/[^\s'\"]*?[?&]apikey", r"[A-Za-z0-9_]{32}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "POLYGON_API_KEY={alnum:30}d3",
            "curl 'https://api.polygon.io/v2/aggs/ticker/AAPL/prev?apiKey={alnum:30}W8'",
        ),
        counter_examples=(
            "POLYGON_API_KEY={alnum:16}",
            "POLYGON_API_KEY=${{POLYGON_API_KEY}}",
            "polygon_key_points = compute_polygon_vertices(shape)",
        ),
        help="A Polygon.io API key: it calls the market data APIs on the account's paid plan. Delete it under "
        "API Keys on the Polygon.io dashboard and create a new one.",
    ),
    rule(
        "xero-client-secret",
        "Xero OAuth 2.0 client secret",
        "medium",
        ("xero",),
        assigned(key_name("xero", "secret"), r"[A-Za-z0-9_-]{48}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "XERO_CLIENT_SECRET={b64url:46}q1",
            'xero_secret: "{b64url:46}P0"',
        ),
        counter_examples=(
            "XERO_CLIENT_ID={HEX:32}",
            "XERO_CLIENT_SECRET={b64url:20}",
            "XERO_CLIENT_SECRET=${{XERO_CLIENT_SECRET}}",
        ),
        help="A Xero app's OAuth 2.0 client secret: with the client id it exchanges and refreshes tokens that "
        "read and change the connected organisations' invoices, contacts and bank transactions. Generate a new "
        "secret for the app under My Apps on the Xero developer portal.",
    ),
)
