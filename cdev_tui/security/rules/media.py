"""Media, publishing and social platforms: Adobe, Frame.io, Cloudinary, Beamer, Etsy, Flickr, LinkedIn, New York
Times, Squarespace, Twitch."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned

"""Right edge of a token that ends in base64 (with ``+``, ``/`` and ``=`` padding)."""

RULES: tuple[Rule, ...] = (
    rule(
        "adobe-client-secret",
        "Adobe Developer Console client secret",
        "high",
        ("p8e-",),
        EDGE_LEFT + r"(p8e-[A-Za-z0-9]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "ADOBE_CLIENT_SECRET=p8e-{alnum:32}",
            '  "client_secret": "p8e-{alnum:32}",',
        ),
        counter_examples=(
            "ADOBE_CLIENT_SECRET=p8e-{alnum:16}",
            "ADOBE_CLIENT_SECRET=<your-client-secret>",
        ),
        help="An Adobe Developer Console OAuth client secret: with the client id it obtains access tokens for "
        "the project's Adobe APIs (Photoshop, PDF Services, Analytics...). Rotate it in the Developer Console "
        "under the project's credential > Client secret > Retrieve / Delete.",
    ),
    rule(
        "frameio-api-token",
        "Frame.io API token",
        "high",
        ("fio-u-",),
        EDGE_LEFT + r"(fio-u-[A-Za-z0-9_=-]{64})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "FRAMEIO_TOKEN=fio-u-{b64url:64}",
            '-H "Authorization: Bearer fio-u-{b64url:64}"',
        ),
        counter_examples=(
            "FRAMEIO_TOKEN=fio-u-{b64url:30}",
            "FRAMEIO_TOKEN=${{FRAMEIO_TOKEN}}",
        ),
        help="A Frame.io developer token: it reads, uploads and shares the assets and reviews of the user's "
        "teams and projects. Delete it at developer.frame.io under Developer tokens.",
    ),
    rule(
        "cloudinary-url",
        "Cloudinary URL with API secret",
        "high",
        ("cloudinary://",),
        r"cloudinary://[0-9]{15}:([A-Za-z0-9_-]{27})@[A-Za-z0-9_-]+",
        min_entropy=3.5,
        examples=(
            "CLOUDINARY_URL=cloudinary://{digits:15}:{b64url:27}@acme-media",
            'cloudinary_url: "cloudinary://{digits:15}:{b64url:27}@dx{lowernum:6}"',
        ),
        counter_examples=(
            "CLOUDINARY_URL=cloudinary://{digits:15}:<api_secret>@acme-media",
            "CLOUDINARY_URL=cloudinary://<api_key>:<api_secret>@<cloud_name>",
        ),
        help="A Cloudinary environment URL holding an API key and secret: it uploads, transforms and deletes "
        "the product environment's media and changes its settings. Rotate the key under Settings > API Keys "
        "in the Cloudinary console.",
    ),
    rule(
        "beamer-api-token",
        "Beamer API key",
        "medium",
        ("beamer",),
        assigned(r"beamer[a-z0-9_.-]{0,20}?(?:token|api_?key|key)", r"b_[A-Za-z0-9=_-]{44}"),
        min_entropy=3.5,
        examples=(
            "BEAMER_API_KEY=b_{b64url:44}",
            'beamer_token: "b_{b64url:44}"',
        ),
        counter_examples=(
            "BEAMER_API_KEY=b_{b64url:20}",
            "BEAMER_API_KEY=${{BEAMER_API_KEY}}",
        ),
        help="A Beamer API key: it creates and edits the product's changelog posts and reads its feedback "
        "and users. Delete it in Beamer under Settings > API.",
    ),
    rule(
        "etsy-api-key",
        "Etsy API key",
        "medium",
        ("etsy",),
        assigned(r"etsy[a-z0-9_.-]{0,20}?(?:token|api_?key|key|secret)", r"[a-z0-9]{24}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "ETSY_API_KEY={lowernum:24}",
            'etsy_shared_secret = "{lowernum:24}"',
        ),
        counter_examples=(
            "ETSY_API_KEY=${{ETSY_API_KEY}}",
            "ETSY_API_KEY={lower:24}",
        ),
        help="An Etsy Open API keystring or shared secret: it calls the Etsy API as the app and, with a "
        "user's OAuth grant, manages their shop and listings. Regenerate it on etsy.com/developers under "
        "Your apps.",
    ),
    rule(
        "flickr-api-key",
        "Flickr API key or secret",
        "medium",
        ("flickr",),
        assigned(r"flickr[a-z0-9_.-]{0,20}?(?:token|api_?key|key|secret)", r"[0-9a-f]{32}|[0-9a-f]{16}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "FLICKR_API_KEY={hex:32}",
            "flickr_secret: {hex:16}",
        ),
        counter_examples=(
            "FLICKR_API_KEY=${{FLICKR_API_KEY}}",
            "FLICKR_API_KEY={hex:10}",
        ),
        help="A Flickr API key or its secret: they call the Flickr API as the app and, with a user's OAuth "
        "grant, upload and edit their photos. Delete the key at flickr.com/services/apps/by/me.",
    ),
    rule(
        "linkedin-client-secret",
        "LinkedIn client secret",
        "medium",
        ("linkedin",),
        assigned(r"linkedin[a-z0-9_.-]{0,20}?(?:client[_.-]?)?secret", r"[A-Za-z0-9]{16}"),
        min_entropy=3.3,
        mixed=True,
        examples=(
            "LINKEDIN_CLIENT_SECRET={alnum:16}",
            'linkedin_client_secret: "{alnum:16}"',
        ),
        counter_examples=(
            "LINKEDIN_CLIENT_SECRET=${{LINKEDIN_CLIENT_SECRET}}",
            "LINKEDIN_CLIENT_SECRET={alnum:8}",
        ),
        help="A LinkedIn app's client secret: with the client id it exchanges users' grants for access "
        "tokens that post and read on their behalf. Generate a new one in the LinkedIn Developer Portal under "
        "the app's Auth tab.",
    ),
    rule(
        "nytimes-api-key",
        "New York Times API key",
        "medium",
        ("nytimes", "ny_times", "nyt_api", "nyt-api"),
        assigned(
            r"(?:ny[_.-]?times|nyt)[a-z0-9_.-]{0,20}?(?:token|api_?key|key|secret)", r"[A-Za-z0-9_=-]{32}"
        ),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "NYTIMES_API_KEY={alnum:32}",
            'nyt_api_key: "{alnum:32}"',
        ),
        counter_examples=(
            "NYTIMES_API_KEY=${{NYTIMES_API_KEY}}",
            "NYTIMES_API_KEY={alnum:12}",
        ),
        help="A New York Times developer API key: it calls the NYT article, books and archive APIs on the "
        "app's quota. Delete or regenerate it at developer.nytimes.com under Apps.",
    ),
    rule(
        "squarespace-api-key",
        "Squarespace API key",
        "medium",
        ("squarespace",),
        assigned(r"squarespace[a-z0-9_.-]{0,20}?(?:token|api_?key|key)", UUID),
        min_entropy=3.0,
        examples=(
            "SQUARESPACE_API_KEY=" + UUID_EXAMPLE,
            'squarespace_token: "' + UUID_EXAMPLE + '"',
        ),
        counter_examples=(
            "SQUARESPACE_API_KEY=${{SQUARESPACE_API_KEY}}",
            "SQUARESPACE_SITE_ID=" + UUID_EXAMPLE,
        ),
        help="A Squarespace Commerce API key: it reads and changes the site's orders, inventory, products and "
        "profiles, as its permissions allow. Revoke it under Settings > Advanced > Developer API Keys.",
    ),
    rule(
        "twitch-api-token",
        "Twitch API token or client secret",
        "medium",
        ("twitch",),
        assigned(r"twitch[a-z0-9_.-]{0,20}?(?:token|api_?key|secret)", r"[a-z0-9]{30}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "TWITCH_CLIENT_SECRET={lowernum:30}",
            'twitch_oauth_token: "{lowernum:30}"',
        ),
        counter_examples=(
            "TWITCH_CLIENT_SECRET=${{TWITCH_CLIENT_SECRET}}",
            "TWITCH_CLIENT_SECRET={lowernum:12}",
        ),
        help="A Twitch app client secret or OAuth token: it calls the Twitch API as the app or as the user "
        "who granted it (chat, channel and stream management). Regenerate the secret in the Twitch Developer "
        "Console under the app's Manage page; revoke a token through id.twitch.tv/oauth2/revoke.",
    ),
)
