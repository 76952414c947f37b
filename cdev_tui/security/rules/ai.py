"""AI providers: Anthropic, OpenAI, OpenRouter, DeepSeek, Hugging Face, Cohere, Replicate, Groq, Mistral, Perplexity,
xAI, Together, Fireworks, LangSmith, Pinecone, ElevenLabs, AssemblyAI, NVIDIA.

Order matters: several providers use an ``sk-`` prefix, so the specific ones come before the broad OpenAI rule.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import assigned

RULES: tuple[Rule, ...] = (
    rule(
        "anthropic-admin-key",
        "Anthropic Admin API key",
        "high",
        ("sk-ant-admin",),
        EDGE_LEFT + r"(sk-ant-admin[0-9]{2}-[A-Za-z0-9_-]{32,200})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{b64url:93}AA",
            'headers = {{"x-api-key": "sk-ant-admin01-{b64url:93}AA"}}',
        ),
        counter_examples=(
            "ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{b64url:12}",
            "ANTHROPIC_ADMIN_KEY=sk-ant-admin01-...",
        ),
        help="An Anthropic Admin API key: it manages the organisation's members, workspaces and API keys. "
        "Delete it in the Claude Console under Settings > Admin keys.",
    ),
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        "high",
        ("sk-ant-",),
        EDGE_LEFT + r"(sk-ant-[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{32,200})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "ANTHROPIC_API_KEY=sk-ant-api03-{b64url:93}AA",
            'client = Anthropic(api_key="sk-ant-api03-{b64url:93}AA")',
        ),
        counter_examples=(
            "ANTHROPIC_API_KEY=sk-ant-api03-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{b64url:93}AA",
            "ANTHROPIC_API_KEY=sk-ant-api03-{b64url:10}",
        ),
        help="An Anthropic API key: it calls the Claude API billed to its workspace. Delete it in the Claude "
        "Console under Settings > API keys and create a new one.",
    ),
    rule(
        "openrouter-api-key",
        "OpenRouter API key",
        "high",
        ("sk-or-v1-",),
        EDGE_LEFT + r"(sk-or-v1-[0-9a-f]{64})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "OPENROUTER_API_KEY=sk-or-v1-{hex:64}",
            'client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="sk-or-v1-{hex:64}")',
        ),
        counter_examples=("OPENROUTER_API_KEY=sk-or-v1-{hex:20}",),
        help="An OpenRouter API key: it spends the account's credits on any routed model. Delete it under "
        "Settings > Keys on openrouter.ai.",
    ),
    rule(
        "deepseek-api-key",
        "DeepSeek API key",
        "medium",
        ("deepseek",),
        assigned(r"deepseek[a-z0-9_.-]{0,20}?(?:key|token)", r"sk-[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "DEEPSEEK_API_KEY=sk-{hex:32}",
            'deepseek_key: "sk-{hex:32}"',
        ),
        counter_examples=(
            "OPENAI_API_KEY=sk-{hex:32}",
            "DEEPSEEK_API_KEY=${{DEEPSEEK_API_KEY}}",
        ),
        help="A DeepSeek API key: it calls the DeepSeek platform billed to the account. Delete it under API "
        "keys on the DeepSeek platform.",
    ),
    rule(
        "openai-api-key",
        "OpenAI-style API key",
        "high",
        ("sk-",),
        EDGE_LEFT + r"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,200})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            'llm = OpenAI(api_key="sk-proj-{b64url:74}T3BlbkFJ{b64url:74}")',
            "OPENAI_API_KEY=sk-{alnum:20}T3BlbkFJ{alnum:20}",
            "OPENAI_API_KEY=sk-svcacct-{b64url:74}T3BlbkFJ{b64url:74}",
            "OPENAI_ADMIN_KEY=sk-admin-{b64url:58}T3BlbkFJ{b64url:58}",
        ),
        counter_examples=(
            "OPENAI_API_KEY=sk-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "OPENAI_API_KEY=sk-{alnum:16}",
            "classes: disk-{lower:40}",
        ),
        help="An OpenAI (or OpenAI-compatible) secret key: project, service-account and admin keys call the "
        "API or manage the organisation, billed to it. Revoke it under the project's API keys (or "
        "Organization > Admin keys) on platform.openai.com.",
    ),
    rule(
        "huggingface-token",
        "Hugging Face access token",
        "high",
        ("hf_",),
        EDGE_LEFT + r"(hf_[A-Za-z0-9]{34})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "HF_TOKEN=hf_{alnum:34}",
            "huggingface-cli login --token hf_{alnum:34}",
        ),
        counter_examples=(
            "HF_TOKEN=hf_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "HF_TOKEN=hf_{alnum:20}",
        ),
        help="A Hugging Face user access token: it reads (or writes) the user's models, datasets and Spaces, "
        "including private ones. Invalidate it under Settings > Access Tokens.",
    ),
    rule(
        "huggingface-org-token",
        "Hugging Face organisation API token",
        "high",
        ("api_org_",),
        EDGE_LEFT + r"(api_org_[A-Za-z0-9]{34})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            'HUGGINGFACE_ORG_TOKEN="api_org_{alnum:34}"',
            "Authorization: Bearer api_org_{alnum:34}",
        ),
        counter_examples=("HUGGINGFACE_ORG_TOKEN=api_org_{alnum:12}",),
        help="A legacy Hugging Face organisation token: it acts on the organisation's repositories. Delete it "
        "in the organisation's settings and use fine-grained user tokens instead.",
    ),
    rule(
        "cohere-api-key",
        "Cohere API key",
        "medium",
        ("cohere", "co_api_key"),
        assigned(r"cohere[a-z0-9_.-]{0,20}?(?:key|token)|co_api_key", r"[A-Za-z0-9]{40}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "CO_API_KEY={alnum:40}",
            'cohere_api_key = "{alnum:40}"',
        ),
        counter_examples=(
            "CO_API_KEY=${{CO_API_KEY}}",
            'cohere_model = "command-r-plus-08-2024"',
        ),
        help="A Cohere API key: it calls the Cohere API billed to the account. Delete it in the Cohere "
        "dashboard under API keys.",
    ),
    rule(
        "replicate-api-token",
        "Replicate API token",
        "high",
        ("r8_",),
        EDGE_LEFT + r"(r8_[A-Za-z0-9]{37})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "REPLICATE_API_TOKEN=r8_{alnum:37}",
            'client = replicate.Client(api_token="r8_{alnum:37}")',
        ),
        counter_examples=("REPLICATE_API_TOKEN=r8_{alnum:20}",),
        help="A Replicate API token: it runs models and reads predictions billed to the account. Revoke it "
        "under Account settings > API tokens on replicate.com.",
    ),
    rule(
        "groq-api-key",
        "Groq API key",
        "high",
        ("gsk_",),
        EDGE_LEFT + r"(gsk_[A-Za-z0-9]{52})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "GROQ_API_KEY=gsk_{alnum:52}",
            'client = Groq(api_key="gsk_{alnum:52}")',
        ),
        counter_examples=("GROQ_API_KEY=gsk_{alnum:30}",),
        help="A Groq API key: it calls GroqCloud models billed to the organisation. Delete it under API Keys "
        "in the Groq console.",
    ),
    rule(
        "mistral-api-key",
        "Mistral AI API key",
        "medium",
        ("mistral",),
        assigned(r"mistral[a-z0-9_.-]{0,20}?(?:key|token)", r"[A-Za-z0-9]{32}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "MISTRAL_API_KEY={alnum:32}",
            'mistral_key: "{alnum:32}"',
        ),
        counter_examples=(
            "MISTRAL_API_KEY=${{MISTRAL_API_KEY}}",
            'mistral_model = "mistral-large-latest"',
        ),
        help="A Mistral AI API key: it calls La Plateforme models billed to the workspace. Delete it under API "
        "Keys in the Mistral console.",
    ),
    rule(
        "perplexity-api-key",
        "Perplexity API key",
        "high",
        ("pplx-",),
        EDGE_LEFT + r"(pplx-[A-Za-z0-9]{40,64})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "PERPLEXITY_API_KEY=pplx-{alnum:48}",
            "Authorization: Bearer pplx-{alnum:56}",
        ),
        counter_examples=("PERPLEXITY_API_KEY=pplx-{alnum:20}",),
        help="A Perplexity API key: it calls the Sonar API billed to the account's credits. Delete it under "
        "Settings > API on perplexity.ai.",
    ),
    rule(
        "xai-api-key",
        "Grok (xAI) API key",
        "high",
        ("xai-",),
        EDGE_LEFT + r"(xai-[A-Za-z0-9]{70,90})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "XAI_API_KEY=xai-{alnum:80}",
            'client = OpenAI(base_url="https://api.x.ai/v1", api_key="xai-{alnum:80}")',
        ),
        counter_examples=("XAI_API_KEY=xai-{alnum:30}",),
        help="An xAI API key: it calls the Grok API billed to the team. Delete it under API Keys in the xAI "
        "console.",
    ),
    rule(
        "together-api-key",
        "Together AI API key",
        "medium",
        ("together",),
        assigned(r"together[a-z0-9_.-]{0,20}?(?:key|token)", r"[0-9a-f]{64}|tgp_v1_[A-Za-z0-9_-]{40,64}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "TOGETHER_API_KEY={hex:64}",
            'together_api_key: "tgp_v1_{b64url:43}"',
        ),
        counter_examples=(
            "TOGETHER_API_KEY=${{TOGETHER_API_KEY}}",
            "TOGETHER_API_KEY={hex:40}",
        ),
        help="A Together AI API key: it runs inference and fine-tuning billed to the account. Regenerate it "
        "under Settings > API Keys on together.ai.",
    ),
    rule(
        "fireworks-api-key",
        "Fireworks AI API key",
        "high",
        ("fw_",),
        EDGE_LEFT + r"(fw_[A-Za-z0-9]{24,48})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "FIREWORKS_API_KEY=fw_{alnum:24}",
            'api_key = "fw_{alnum:24}"',
        ),
        counter_examples=(
            "fw_version_string = fw_{lower:10}",
            "FIREWORKS_API_KEY=fw_{alnum:12}",
        ),
        help="A Fireworks AI API key: it runs models and deployments billed to the account. Delete it under "
        "Account > API Keys on fireworks.ai (or firectl delete api-key).",
    ),
    rule(
        "langsmith-api-key",
        "LangSmith API key",
        "high",
        ("lsv2_",),
        EDGE_LEFT + r"(lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "LANGSMITH_API_KEY=lsv2_pt_{hex:32}_{hex:10}",
            'os.environ["LANGCHAIN_API_KEY"] = "lsv2_sk_{hex:32}_{hex:10}"',
        ),
        counter_examples=(
            "LANGCHAIN_API_KEY=ls__{hex:32}",
            "LANGSMITH_API_KEY=lsv2_xx_{hex:32}_{hex:10}",
        ),
        help="A LangSmith personal access token (lsv2_pt_) or service key (lsv2_sk_): it reads traces, "
        "prompts and datasets of the workspace. Delete it under Settings > API Keys in LangSmith.",
    ),
    rule(
        "pinecone-api-key",
        "Pinecone API key",
        "high",
        ("pcsk_",),
        EDGE_LEFT + r"(pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "PINECONE_API_KEY=pcsk_{alnum:6}_{alnum:63}",
            "pc = Pinecone(api_key='pcsk_{alnum:5}_{alnum:64}')",
        ),
        counter_examples=(
            "PINECONE_API_KEY=pcsk_...",
            "PINECONE_API_KEY=pcsk_{alnum:6}_{alnum:12}",
        ),
        help="A Pinecone API key: it reads, writes and deletes the project's indexes and vectors. Delete it "
        "under API keys in the Pinecone console.",
    ),
    rule(
        "elevenlabs-api-key",
        "ElevenLabs API key",
        "medium",
        ("elevenlabs", "eleven_labs", "xi-api-key", "xi_api_key"),
        assigned(
            r"eleven_?labs[a-z0-9_.-]{0,20}?(?:key|token)|xi-api-key|xi_api_key",
            r"sk_[0-9a-f]{48}|[0-9a-f]{32}",
        ),
        min_entropy=3.0,
        examples=(
            "ELEVENLABS_API_KEY=sk_{hex:48}",
            "xi-api-key: {hex:32}",
        ),
        counter_examples=(
            "ELEVENLABS_API_KEY=${{ELEVENLABS_API_KEY}}",
            "ELEVENLABS_VOICE_ID={alnum:20}",
        ),
        help="An ElevenLabs API key: it generates speech and manages voices billed to the account. Delete it "
        "under Developers > API Keys in ElevenLabs.",
    ),
    rule(
        "assemblyai-api-key",
        "AssemblyAI API key",
        "medium",
        ("assemblyai", "assembly_ai"),
        assigned(r"assembly_?ai[a-z0-9_.-]{0,20}?(?:key|token)", r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "ASSEMBLYAI_API_KEY={hex:32}",
            'assemblyai_api_key: "{hex:32}"',
        ),
        counter_examples=(
            "ASSEMBLYAI_API_KEY=${{ASSEMBLYAI_API_KEY}}",
            "ASSEMBLYAI_API_KEY={hex:20}",
        ),
        help="An AssemblyAI API key: it transcribes audio billed to the account and reads past transcripts. "
        "Rotate it in the AssemblyAI dashboard under API Keys.",
    ),
    rule(
        "nvidia-api-key",
        "NVIDIA API key",
        "high",
        ("nvapi-",),
        EDGE_LEFT + r"(nvapi-[A-Za-z0-9_-]{64})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "NVIDIA_API_KEY=nvapi-{b64url:64}",
            'client = OpenAI(base_url="https://integrate.api.nvidia.com/v1", api_key="nvapi-{b64url:64}")',
        ),
        counter_examples=("NVIDIA_API_KEY=nvapi-{b64url:20}",),
        help="An NVIDIA API key (build.nvidia.com, NGC): it calls hosted models and pulls NGC artifacts as the "
        "account. Revoke it under Setup > API Keys in the NGC console.",
    ),
)
