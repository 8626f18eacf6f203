#!/usr/bin/env python3
"""Check Corpus/labels.json against Corpus/agreements/ (stdlib only).

Every agreement file has one entry, every entry has all 21 element ids with a
status from the vocabulary, breach deadlines are well-formed, and every
evidence quote occurs in its document (whitespace collapsed, Markdown ** and
line-end hyphenation removed; pieces separated by ' ... ')."""
import glob, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
IDS = ["permitted_uses", "no_other_use", "safeguards", "report_disclosures", "breach_notification",
       "subcontractors", "access", "amendment", "accounting", "privacy_rule_compliance",
       "hhs_books_records", "return_destroy", "termination_for_breach", "ai_training",
       "deidentification", "data_aggregation", "minimum_necessary", "sale_of_phi_prohibited",
       "offshore_restriction", "indemnification", "insurance"]
VOCAB = {i: {"present", "weak", "absent"} for i in IDS}
VOCAB["ai_training"] = {"prohibited", "permitted", "absent"}
VOCAB["deidentification"] = {"permitted", "prohibited", "absent"}
VOCAB["data_aggregation"] = {"permitted", "absent"}
UNITS = {"hours", "days", "business_days", "calendar_days"}


def norm(s):
    return re.sub(r"\s+", " ", s.replace("**", "").replace("`", ""))


def main():
    errs = []
    entries = json.load(open(os.path.join(HERE, "labels.json")))
    files = {os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "agreements", "*"))}
    seen = set()
    for e in entries:
        if e["file"] in seen:
            errs.append(f"{e['id']}: duplicate file {e['file']}")
        seen.add(e["file"])
        if e.get("kind") not in ("baa", "amendment", "negative-control"):
            errs.append(f"{e['id']}: bad kind {e.get('kind')}")
        path = os.path.join(HERE, e["file"])
        if not os.path.exists(path):
            errs.append(f"{e['id']}: missing file {e['file']}")
            continue
        raw = open(path, encoding="utf-8").read()
        texts = [norm(raw), norm(re.sub(r"([A-Za-z])-\n\s*([a-z])", r"\1\2", raw))]
        if set(e["labels"]) != set(IDS):
            errs.append(f"{e['id']}: element ids differ: {sorted(set(IDS) ^ set(e['labels']))}")
        for k, lab in e["labels"].items():
            st = lab.get("status")
            if st not in VOCAB.get(k, ()):
                errs.append(f"{e['id']} {k}: bad status {st}")
            if st == "absent":
                continue
            for piece in lab.get("evidence", "").split(" ... "):
                if not any(norm(piece.strip()) in t for t in texts):
                    errs.append(f"{e['id']} {k}: evidence not found: {piece[:70]!r}")
            if k == "breach_notification":
                if st == "present" and "deadline_value" not in lab:
                    errs.append(f"{e['id']}: present breach_notification without deadline_value")
                if "deadline_value" in lab:
                    if not isinstance(lab["deadline_value"], int) or lab.get("deadline_unit") not in UNITS:
                        errs.append(f"{e['id']}: bad deadline value/unit")
    for f in sorted(files - seen):
        errs.append(f"no label entry for {f}")
    print("\n".join(errs) if errs else f"ok: {len(entries)} agreements, {len(IDS)} elements each")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
