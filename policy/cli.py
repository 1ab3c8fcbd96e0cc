"""policy/'s subcommands: `easel optout ...`, `easel audit list`, `easel eval policy ...`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from policy.training.options import (
    add_crisis_topic_options,
    add_description_encoder_options,
    add_description_reranker_options,
)
from policy.training.options import add_options as add_training_options


def register(commands, eval_commands, train_commands) -> None:
    optout = commands.add_parser("optout", help="the opt-out registry: people who asked not to be depicted")
    optout_commands = optout.add_subparsers(dest="optout_command", required=True, metavar="ACTION")

    add = optout_commands.add_parser("add", help="register a person (and aliases and descriptions)")
    add.add_argument("name")
    add.add_argument("--alias", action="append", default=[], help="another name they go by (repeatable)")
    add.add_argument(
        "--describe",
        action="append",
        default=[],
        metavar="DESCRIPTION",
        help="how people refer to them, e.g. 'the actor who played X in Y' (repeatable)",
    )
    add.set_defaults(handler=optout_add)

    remove = optout_commands.add_parser("remove", help="remove a person (by name or alias)")
    remove.add_argument("name")
    remove.set_defaults(handler=optout_remove)

    listing = optout_commands.add_parser("list", help="list registered people")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=optout_list)

    importing = optout_commands.add_parser(
        "import",
        help="add people from a .txt (one a line) or .json (name -> aliases, or name -> "
        '{"aliases": [...], "descriptions": [...]})',
    )
    importing.add_argument("file", type=Path)
    importing.add_argument("--replace", action="store_true", help="replace the whole registry (one transaction)")
    importing.set_defaults(handler=optout_import)

    export = optout_commands.add_parser(
        "export", help="print the registry as JSON (name -> aliases, or -> {aliases, descriptions})"
    )
    export.add_argument("--out", type=Path, default=None)
    export.set_defaults(handler=optout_export)

    audit = commands.add_parser("audit", help="the policy decisions audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_list = audit_commands.add_parser("list", help="most recent decisions first")
    audit_list.add_argument("--limit", type=int, default=20)
    audit_list.add_argument("--json", action="store_true")
    audit_list.set_defaults(handler=audit_list_handler)
    purge = audit_commands.add_parser(
        "purge", help="remove the prompts and earlier turns of old audit rows (decisions and rules stay)"
    )
    purge.add_argument(
        "--days",
        type=float,
        default=None,
        help="older than this many days (default: EASEL_AUDIT_RETENTION_DAYS, 30); 0 removes them all",
    )
    purge.set_defaults(handler=audit_purge_handler)

    database = commands.add_parser("db", help="the database of the registry and the audit log")
    database_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    check = database_commands.add_parser(
        "check",
        help="is it usable (quick_check), and does its disk have EASEL_MIN_FREE_MB free and take a write? "
        "exit status 0 when both",
    )
    check.set_defaults(handler=db_check_handler)
    upgrade = database_commands.add_parser(
        "upgrade",
        help="bring the database (EASEL_DATABASE_URL, or the SQLite file under EASEL_DATA_DIR) to the current "
        "schema; a file written by an earlier release keeps every row",
    )
    upgrade.set_defaults(handler=db_upgrade_handler)

    head = train_commands.add_parser(
        "policy-classifier", help="train the policy's aspect head on the multilingual request corpus"
    )
    add_training_options(head)
    head.set_defaults(handler=train_policy_classifier)
    crisis = train_commands.add_parser(
        "crisis-topic",
        help="train the crisis-topic head (is a message about someone at risk now?) that chooses the support answer",
    )
    add_crisis_topic_options(crisis)
    crisis.set_defaults(handler=train_crisis_topic)
    described = train_commands.add_parser(
        "description-encoder",
        help="tune the encoder that compares requests with the registry's descriptions of people",
    )
    add_description_encoder_options(described)
    described.set_defaults(handler=train_description_encoder)
    reranker = train_commands.add_parser(
        "description-reranker",
        help="train the reranker that reads a request and a registered description together",
    )
    add_description_reranker_options(reranker)
    reranker.set_defaults(handler=train_description_reranker)

    policy = eval_commands.add_parser("policy", help="measure the policy agent on labelled cases")
    policy.add_argument("cases", type=Path, help="CASES.jsonl")
    policy.add_argument("--optout", type=Path, required=True, help="registry file (.txt or .json)")
    policy.add_argument("--json", action="store_true", help="print per-case results as JSON lines too")
    policy.add_argument("--errors", action="store_true", help="print the misjudged cases")
    policy.set_defaults(handler=eval_policy)


# A person at a shell can wait longer for another writer (an import) than a chat request can.
CLI_BUSY_TIMEOUT = 30.0


def _registry(settings):
    from policy.registry import OptOutRegistry

    return OptOutRegistry(
        settings.database_path, busy_timeout=CLI_BUSY_TIMEOUT, retention_days=settings.audit_retention_days
    )


def optout_add(args, settings) -> int:
    from policy.registry import entry_problems

    problems = entry_problems(args.name, args.alias, args.describe)
    if problems:  # nothing is registered: a refused alias is never widened or dropped silently
        for problem in problems:
            print(f"refused: {problem}", file=sys.stderr)
        return 2
    _registry(settings).add(args.name, args.alias, args.describe)
    said = [f"aliases: {', '.join(args.alias)}"] if args.alias else []
    said += [f"descriptions: {'; '.join(args.describe)}"] if args.describe else []
    print(f"registered {args.name}" + (f" ({'; '.join(said)})" if said else ""))
    return 0


def optout_remove(args, settings) -> int:
    if _registry(settings).remove(args.name):
        print(f"removed {args.name}")
        return 0
    print(f"not registered: {args.name}", file=sys.stderr)
    return 1


def optout_list(args, settings) -> int:
    registry = _registry(settings)
    if args.json:
        print(json.dumps(registry.export(), ensure_ascii=False))
        return 0
    people = registry.people()
    for person in people:
        print(person.name + (f"  (aliases: {', '.join(person.aliases)})" if person.aliases else ""))
        for description in person.descriptions:
            print(f"    described as: {description}")
    print(f"{len(people)} people", file=sys.stderr)
    return 0


def optout_import(args, settings) -> int:
    from policy.registry import import_problems, read_registry_file

    entries = read_registry_file(args.file)
    left_out = import_problems(entries)
    for problem in left_out:
        print(f"refused: {problem}", file=sys.stderr)
    count = _registry(settings).import_entries(entries, replace=args.replace)
    print(f"imported {count} entries from {args.file}" + (f" ({len(left_out)} refused, see above)" if left_out else ""))
    return 0


def optout_export(args, settings) -> int:
    text = json.dumps(_registry(settings).export(), ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def audit_list_handler(args, settings) -> int:
    from policy.registry import outcome_text

    entries = _registry(settings).audit_entries(args.limit)
    if args.json:
        for entry in entries:
            print(json.dumps({**entry, "outcome": outcome_text(entry) or None}, ensure_ascii=False))
        return 0
    import datetime

    for entry in entries:
        when = datetime.datetime.fromtimestamp(entry["created_at"]).isoformat(timespec="seconds")
        verdict = "ALLOW " if entry["allowed"] else "REFUSE"
        outcome = outcome_text(entry)
        print(f"{when} {entry['decision_id']} {verdict} {outcome:<19} {entry['category']:<28} {entry['prompt'][:70]!r}")
    return 0


def audit_purge_handler(args, settings) -> int:
    registry = _registry(settings)
    days = registry.retention_days if args.days is None else args.days
    purged = registry.purge_audit(days)
    print(json.dumps({"purged": purged, "older_than_days": days}))
    return 0


def db_check_handler(args, settings) -> int:
    from policy.registry import OptOutRegistry

    registry = OptOutRegistry(settings.database_path, min_free_mb=settings.min_free_mb)
    health = registry.health()
    registry.close()
    if health["status"] != "ok":
        print(health["detail"], file=sys.stderr)
    if health.get("no_outcome_rows"):  # not a fault of the database: said, but the check passes
        print(
            f"{health['no_outcome_rows']} allowed audit rows have no outcome recorded "
            "(the process stopped before it finished them, or they predate outcomes)",
            file=sys.stderr,
        )
    print(json.dumps(health))
    return 0 if health["status"] == "ok" else 1


def db_upgrade_handler(args, settings) -> int:
    from policy.database import HEAD, ServerDatabase, sqlite_revision
    from policy.registry import DatabaseProblem, OptOutRegistry

    location = settings.database_path
    before = None if isinstance(location, ServerDatabase) else sqlite_revision(location)  # before opening runs them
    registry = OptOutRegistry(location, busy_timeout=CLI_BUSY_TIMEOUT)
    try:
        server_before, after = registry.upgrade()
        before = server_before if isinstance(location, ServerDatabase) else before
    except DatabaseProblem as problem:
        print(problem.operator_message, file=sys.stderr)
        return 1
    finally:
        registry.close()
    print(json.dumps({"database": str(registry.where), "before": before, "after": after, "head": HEAD}))
    return 0 if after == HEAD else 1


def eval_policy(args, settings) -> int:
    import torch
    from tqdm import tqdm

    from policy.evaluate import run_eval

    torch.set_num_threads(1)  # the eval machine is shared; one core keeps latency figures honest
    summary, results = run_eval(
        args.cases,
        args.optout,
        progress_factory=lambda n: tqdm(total=n, desc="policy cases", file=sys.stderr, unit="case"),
    )
    if args.errors:
        for r in results:
            if not r["correct"]:
                print(
                    f"{r['case']['expected']:>6} got {r['predicted']:<6} [{r['case'].get('category')}] "
                    f"{r['decision_category']}: {r['case']['prompt'][:110]!r}"
                )
    if args.json:
        for r in results:
            print(
                json.dumps(
                    {
                        "prompt": r["case"]["prompt"],
                        "expected": r["case"]["expected"],
                        "predicted": r["predicted"],
                        "category": r["case"].get("category"),
                        "rule": r["decision_category"],
                    },
                    ensure_ascii=False,
                )
            )
    print(f"{'category':<58} {'n':>4} {'accuracy':>9}")
    for category, entry in summary["by_category"].items():
        print(f"{category:<58} {entry['n']:>4} {entry['accuracy']:>9.3f}")
    print(
        f"n={summary['n']} accuracy={summary['accuracy']:.3f} over_refusal={summary['over_refusal']:.3f} "
        f"under_refusal={summary['under_refusal']:.3f} p50={summary['p50_ms']}ms p99={summary['p99_ms']}ms"
    )
    print(json.dumps(summary))
    return 0


def train_crisis_topic(args, settings) -> int:
    from policy.training import crisis_topic

    return crisis_topic.train(args)


def train_description_encoder(args, settings) -> int:
    from policy.training import description_encoder

    return description_encoder.train(args)


def train_description_reranker(args, settings) -> int:
    from policy.training import description_reranker

    return description_reranker.train(args)


def train_policy_classifier(args, settings) -> int:
    from policy.training import aspect_head

    return aspect_head.train(args)
