"""What a fresh sandbox starts with: the owner account, the admin key, and the demo workspace.

The demo is generated from a fixed seed, so every sandbox shows the same agents, tasks and the
same few hundred records in two datasets.
"""

from __future__ import annotations

import random
from typing import Any

from genispace_mcp.sandbox.auth import KEY_PREFIX_CHARS, hash_secret
from genispace_mcp.sandbox.context import Context
from genispace_mcp.sandbox.ids import iso, new_id
from genispace_mcp.sandbox.records import store_records
from genispace_mcp.sandbox.routes.api_keys import create_key
from genispace_mcp.sandbox.workflow import check_input_schema, check_workflow

DEMO_SEED = 20240301
FAQ_RECORDS = 240
TICKET_RECORDS = 300


def ensure_owner(ctx: Context) -> dict[str, Any]:
    """The workspace owner (created on first start)."""
    owner_id = ctx.store.get_meta("owner_id")
    user = ctx.store.get_user(owner_id) if owner_id else None
    if user is None:
        user = {
            "id": new_id("usr"),
            "email": "owner@sandbox.genispace.local",
            "name": "Sandbox Owner",
            "company": "GeniSpace Sandbox",
            "language": "en",
            "timeZone": "UTC",
            "created_at": iso(ctx.now()),
        }
        ctx.store.put_user(user)
        ctx.store.set_meta("owner_id", user["id"])
    return user


def ensure_admin_key(ctx: Context, fixed: str | None = None) -> tuple[str | None, bool, str]:
    """Make sure an admin key (permission `*`) exists: (plain key, created, prefix).

    With `fixed`, that secret is the admin key (registered on first use). Without, one key is
    generated on first start; later starts return None as the plain key, which was shown once.
    """
    if fixed:
        if not fixed.startswith("sk-") or len(fixed) < 12:
            raise ValueError("the admin key must look like sk-... (at least 12 characters)")
        row = ctx.store.key_by_hash(hash_secret(fixed))
        if row is not None and not row.revoked:
            return fixed, False, fixed[:KEY_PREFIX_CHARS]
        doc, _ = create_key(ctx, "admin", ["*"], application="sandbox", secret=fixed)
        ctx.store.set_meta("admin_key_id", doc["id"])
        return fixed, True, doc["prefix"]
    key_id = ctx.store.get_meta("admin_key_id")
    existing = ctx.store.get_key(key_id) if key_id else None
    if existing is not None:
        return None, False, existing["prefix"]
    doc, secret = create_key(ctx, "admin", ["*"], application="sandbox")
    ctx.store.set_meta("admin_key_id", doc["id"])
    return secret, True, doc["prefix"]


def seed_demo(ctx: Context) -> bool:
    """Create the demo workspace once; False when it was created before."""
    if ctx.store.get_meta("demo_seeded"):
        return False
    rng = random.Random(DEMO_SEED)
    now = iso(ctx.now())
    faq = _dataset(
        ctx,
        "Product FAQ",
        "Questions and answers about the Acme product line.",
        ["question", "answer", "product", "category"],
        now,
    )
    tickets = _dataset(
        ctx,
        "Support tickets",
        "Customer support tickets with priority and status.",
        ["subject", "body"],
        now,
    )
    store_records(ctx, faq, _faq_records(rng))
    store_records(ctx, tickets, _ticket_records(rng))

    assistant = _agent(
        ctx,
        now,
        name="Support Assistant",
        description="Answers customer questions from the Product FAQ, citing the entries it used.",
        agentType="CHAT",
        systemPrompt="You are a friendly support assistant for Acme products. Answer from the FAQ and cite it.",
        knowledgeBases=[faq["id"]],
    )
    _agent(
        ctx,
        now,
        name="Echo Chat",
        description="A plain chat agent with no knowledge base: a starting point to configure.",
        agentType="CHAT",
        systemPrompt="You are a concise assistant. Keep answers short.",
    )
    _agent(
        ctx,
        now,
        name="Report Writer",
        description="A TASK agent: execute it with inputs topic and audience.",
        agentType="TASK",
        systemPrompt="You write short internal reports.",
        promptTemplate="Write a short report about {{topic}} for {{audience}}.",
        knowledgeBases=[tickets["id"]],
    )
    _task(
        ctx,
        now,
        name="Daily ticket digest",
        description="Runs with no inputs: finds urgent refund tickets and writes a digest.",
        inputSchema={"type": "object", "properties": {}, "required": []},
        workflow={
            "steps": [
                {
                    "id": "urgent",
                    "type": "dataset_query",
                    "datasetId": tickets["id"],
                    "query": "urgent refund not received",
                    "top_k": 3,
                    "filter": {"priority": "high"},
                },
                {
                    "id": "digest",
                    "type": "template",
                    "template": "Digest: top urgent ticket {{steps.urgent.output.0.id}}: {{steps.urgent.output.0.record.subject}}",
                },
            ]
        },
    )
    _task(
        ctx,
        now,
        name="Answer a customer",
        description="Takes a question (and optionally a customer name); drafts a reply with the Support Assistant.",
        inputSchema={
            "type": "object",
            "properties": {
                "question": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The customer's question",
                },
                "customer": {"type": "string", "description": "Name used in the greeting"},
            },
            "required": ["question"],
        },
        workflow={
            "steps": [
                {
                    "id": "sources",
                    "type": "dataset_query",
                    "datasetId": faq["id"],
                    "query": "{{inputs.question}}",
                    "top_k": 3,
                },
                {
                    "id": "answer",
                    "type": "agent",
                    "agentId": assistant["id"],
                    "input": "{{inputs.question}}",
                },
                {
                    "id": "reply",
                    "type": "template",
                    "template": "Hello,\n\n{{steps.answer.output}}\n\n-- Acme support",
                },
            ]
        },
    )
    _task(
        ctx,
        now,
        name="Slow nightly export",
        description="Waits 30 seconds between two steps: start it, then try cancelling it.",
        type="SCHEDULED",
        schedule="0 2 * * *",
        workflow={
            "steps": [
                {"id": "prepare", "type": "template", "template": "export prepared"},
                {"id": "pause", "type": "wait", "seconds": 30},
                {"id": "finish", "type": "template", "template": "export finished"},
            ]
        },
    )
    ctx.store.set_meta("demo_seeded", now)
    return True


def _dataset(
    ctx: Context, name: str, description: str, text_fields: list[str], now: str
) -> dict[str, Any]:
    doc = {
        "id": new_id("ds"),
        "name": name,
        "description": description,
        "textFields": text_fields,
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.put_dataset(doc)
    return doc


def _agent(ctx: Context, now: str, **fields: Any) -> dict[str, Any]:
    doc = {
        "id": new_id("agt"),
        "description": "",
        "model": "sandbox-echo-1",
        "systemPrompt": "",
        "promptTemplate": "",
        "knowledgeBases": [],
        "settings": {"temperature": 0.7, "maxTokens": 2000},
        "status": "active",
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    ctx.store.put_agent(doc)
    return doc


def _task(ctx: Context, now: str, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": new_id("tsk"),
        "description": "",
        "type": "MANUAL",
        "priority": "normal",
        "schedule": None,
        "tags": ["demo"],
        "inputSchema": {"type": "object", "properties": {}, "required": []},
        "status": "active",
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    doc["inputSchema"] = check_input_schema(doc["inputSchema"])
    doc["workflow"] = check_workflow(doc["workflow"])
    ctx.store.put_task(doc)
    return doc


PRODUCTS = (
    "Acme Router X2",
    "Acme Smart Plug",
    "Acme Cloud Backup",
    "Acme Camera Pro",
    "Acme Thermostat",
    "Acme Mesh Wi-Fi",
)
FAQ_TOPICS = (
    (
        "shipping",
        "When will my order be shipped?",
        "Orders of the {p} ship within {n} business days; you get a tracking link by email.",
    ),
    (
        "returns",
        "How do I return the {p}?",
        "Start a return from your account page within {n} days of delivery; the label is free.",
    ),
    (
        "refunds",
        "When do I get my refund for the {p}?",
        "Refunds are issued to the original payment method {n} days after we receive the return.",
    ),
    (
        "setup",
        "How do I set up the {p}?",
        "Install the Acme app, press the pairing button on the {p} for {n} seconds and follow the steps.",
    ),
    (
        "reset",
        "How do I factory reset the {p}?",
        "Hold the reset button of the {p} for {n} seconds until the light blinks red.",
    ),
    (
        "warranty",
        "What warranty covers the {p}?",
        "The {p} has a {n}-year limited warranty covering manufacturing defects.",
    ),
    (
        "billing",
        "Why was I charged twice for the {p}?",
        "A second charge is usually a pending authorisation that disappears within {n} days.",
    ),
    (
        "firmware",
        "How do I update the firmware of the {p}?",
        "Firmware updates install automatically at night; force one from the app in {n} taps.",
    ),
    (
        "connectivity",
        "Why does the {p} keep disconnecting?",
        "Move the {p} closer to the router and use the 2.4 GHz band; most drops stop within {n} minutes.",
    ),
    (
        "privacy",
        "What data does the {p} collect?",
        "The {p} sends only diagnostics, kept for {n} days; turn them off in privacy settings.",
    ),
)


def _faq_records(rng: random.Random) -> list[dict[str, Any]]:
    records = []
    for n in range(FAQ_RECORDS):
        product = PRODUCTS[n % len(PRODUCTS)]
        category, question, answer = FAQ_TOPICS[(n // len(PRODUCTS)) % len(FAQ_TOPICS)]
        variant = n // (len(PRODUCTS) * len(FAQ_TOPICS))
        value = rng.randint(2, 30)
        records.append(
            {
                "id": f"faq-{n + 1:03d}",
                "question": question.format(p=product)
                + ("" if variant == 0 else f" (variant {variant + 1})"),
                "answer": answer.format(p=product, n=value),
                "product": product,
                "category": category,
                "helpful": rng.randint(0, 500),
            }
        )
    return records


TICKET_SUBJECTS = (
    ("Refund not received", "I returned the {p} {d} days ago and the refund has not arrived yet."),
    ("Device will not connect", "My {p} drops off the Wi-Fi every few minutes since {d} days."),
    ("Charged twice", "My card was charged twice for the {p} order placed {d} days ago."),
    ("Setup fails", "The {p} app fails at the pairing step with error {d}."),
    ("Late delivery", "My {p} order is {d} days late and tracking has not moved."),
    ("Feature request", "Please add scheduling to the {p}; I would use it every {d} days."),
)
CUSTOMERS = (
    "Alice Martin",
    "Bob Chen",
    "Carla Diaz",
    "Deepak Rao",
    "Emma Weber",
    "Farid Haddad",
    "Grace Kim",
    "Hugo Silva",
)


def _ticket_records(rng: random.Random) -> list[dict[str, Any]]:
    records = []
    for n in range(TICKET_RECORDS):
        subject, body = TICKET_SUBJECTS[rng.randrange(len(TICKET_SUBJECTS))]
        product = PRODUCTS[rng.randrange(len(PRODUCTS))]
        days = rng.randint(1, 40)
        urgent = subject in ("Refund not received", "Charged twice") and days > 10
        records.append(
            {
                "id": f"tkt-{n + 1:04d}",
                "subject": f"{subject}: {product}",
                "body": body.format(p=product, d=days) + (" This is urgent." if urgent else ""),
                "customer": CUSTOMERS[rng.randrange(len(CUSTOMERS))],
                "product": product,
                "priority": "high" if urgent else rng.choice(("low", "normal", "normal")),
                "status": rng.choice(("open", "open", "closed")),
                "ageDays": days,
                "amount": round(rng.uniform(19, 499), 2),
            }
        )
    return records
