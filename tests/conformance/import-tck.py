#!/usr/bin/env python3
"""Turns DMN TCK test files (dmn-tck/tck, Apache-2.0) into tenet conformance cases.

Usage: import-tck.py TCK_CHECKOUT [--level 3] CASE... — for each CASE (e.g.
0004-simpletable-U) reads TestCases/compliance-level-2/CASE/CASE-test-01.xml (level 3 with
--level 3) and writes CASE/cases.yaml beside this
script: each test's inputs as facts and its expected results, names made into tenet
names (`Approval Status` -> approval_status). The models themselves are ported by hand
into CASE/model.tenet. Not run by the build or the tests: the output is committed.
"""
import json, os, re, sys, xml.etree.ElementTree as ET

NS = "{http://www.omg.org/spec/DMN/20160719/testcase}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"

def name(n):
    n = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", n)
    return re.sub(r"[^0-9A-Za-z]+", "_", n).strip("_").lower()

def value(node):
    """The expected or given value under a node: a scalar, a list or a record."""
    v = node.find(NS + "value")
    if v is not None:
        if v.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
            return None
        t = v.get(XSI, "")
        text = v.text or ""
        if t.endswith("boolean"):
            return text == "true"
        if t.endswith("decimal") or t.endswith("double") or t.endswith("integer"):
            return text if "." in text else int(text)
        return text
    lst = node.find(NS + "list")
    if lst is not None:
        return [value(i) for i in lst.findall(NS + "item")]
    comps = node.findall(NS + "component")
    if comps:
        return {name(c.get("name")): value(c) for c in comps}
    return None

def main(tck, cases):
    here = os.path.dirname(os.path.abspath(__file__))
    level = "2"
    if cases[:1] == ["--level"]:
        level, cases = cases[1], cases[2:]
    for case in cases:
        path = os.path.join(tck, "TestCases", f"compliance-level-{level}", case, f"{case}-test-01.xml")
        root = ET.parse(path).getroot()
        out = [f"# From dmn-tck/tck TestCases/compliance-level-{level}/{case}/{case}-test-01.xml (Apache-2.0)."]
        for tc in root.findall(NS + "testCase"):
            facts = {name(i.get("name")): value(i) for i in tc.findall(NS + "inputNode")}
            expect = {}
            for r in tc.findall(NS + "resultNode"):
                e = r.find(NS + "expected")
                expect[name(r.get("name"))] = value(e) if e is not None else None
            out.append(f"- name: \"{tc.get('id')}\"")
            out.append(f"  facts: {json.dumps(facts, ensure_ascii=False)}")
            out.append(f"  expect: {json.dumps(expect, ensure_ascii=False)}")
        os.makedirs(os.path.join(here, case), exist_ok=True)
        with open(os.path.join(here, case, "cases.yaml"), "w") as f:
            f.write("\n".join(out) + "\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
