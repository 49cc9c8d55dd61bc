"""`portfolio export`: the portfolio as one self-contained archive for an awarding body.

The zip holds the whole site (`site/`, browsable straight from the archive once unpacked),
`portfolio.json` at the top, the evidence files the entries attach (`evidence/<entry>/<n>-<name>`,
named as on the site; only those referenced — an unreferenced file in evidence/ may be private), `matrix.csv`, the
traceability matrix, and `claims.csv`, every claim one a row (docs/exports.md). The matrix is also written
beside the archive. Like `build`, export
refuses while errors stand; like the site, the archive is byte-identical for the same records
and `--as-of` (fixed timestamps, sorted names).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from pathlib import Path

from . import pipeline
from .csvsafe import csv_bytes
from .new import slug
from .privacy.outputs import OutputGuard, PersonalDataInOutput
from .registry import finding
from .render import render_site
from .render.assets import site_copies
from .render.csvs import claims_csv
from .failures import Failure, reading, writing
from .outdir import check_archive, check_output, names_archive


def matrix_rows(model, analysis) -> list[list[str]]:
    """Criteria of the chosen units down, entries across; a cell is 'x' when the entry evidences it.
    Every status and count is the analysis's."""
    entries = model.entries
    rows = [["framework", "unit", "unit title", "criterion", "criterion text", "status", "evidence count"]
            + [_public_id(e) for e in entries]]
    for fw in analysis.frameworks:
        for unit in fw.units:
            for f in unit.criteria:
                c = f.criterion
                status = ("met automatically" if f.met else "gap") if f.auto is not None \
                    else ("evidenced" if f.met else "gap")
                cited = set(f.evidence)
                rows.append([fw.framework.id, unit.unit.ref, unit.unit.title, c.id, c.text, status,
                             str(len(f.evidence))] + ["x" if e in cited else "" for e in entries])
    return rows


def _public_id(entry) -> str:
    """The entry's id as the site shows it: a file name can hold the name of an unpublished contact."""
    return getattr(entry, "slug", None) or entry.id


def matrix_csv(model, analysis) -> bytes:
    return csv_bytes(matrix_rows(model, analysis), bom=True)   # opened by hand in a spreadsheet: the BOM keeps UTF-8


def _submission_pdf(model, members: dict, as_of: dt.date) -> bytes:
    from .pdf import render_pdf
    files = {name[len("site/"):]: data for name, data in members.items() if name.startswith("site/")}
    title = f"Portfolio of evidence: {model.learner.get('name') or 'learner'}"
    return render_pdf(files, title, model.learner.get("name") or "", as_of)


def _add(zf: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def archive_name(model, as_of: dt.date) -> str:
    return f"portfolio-{slug(model.learner.get('name') or 'learner')}-{as_of.isoformat()}.zip"


def pdf_name(model, as_of: dt.date) -> str:
    return archive_name(model, as_of)[:-len(".zip")] + ".pdf"


def export(source: Path, out: Path, as_of: dt.date, strict: bool = False, cache=None, pdf: bool = False):
    """Check, then write the archive and matrix into the folder `out`, or, when `out` names a `.zip` file
    (names_archive), the archive alone at that path; with `pdf` the submission document too, in the archive
    as submission.pdf and beside it. Returns (result, archive path or None)."""
    if pdf:
        from .pdf import available
        reason = available()
        if reason:   # before anything is checked or written: say why, and write nothing
            raise Failure("portfolio export --pdf", f"cannot make the PDF: {reason}",
                          "run make setup (it installs the pdf extra and, with apt, the libraries), or export "
                          "without --pdf; docs/submission.md says what the PDF needs")
    named = names_archive(Path(out))
    if named:
        target = check_archive(Path(out), Path(source))
        out = target.parent
    else:
        out = check_output(Path(out), Path(source), replace=False)
        target = None
    result = pipeline.check(source, as_of, cache)
    if result.model is None or result.failed(strict):
        return result, None
    model = result.model
    files = dict(render_site(model, result.diagnostics, result.analysis, as_of, result.redactor))
    members: dict[str, bytes] = {f"site/{rel}": data for rel, data in files.items()}
    for rel, src in site_copies(model, result.redactor).items():
        try:
            members[f"site/{rel}"] = data = Path(src).read_bytes()
        except OSError as exc:
            raise reading(exc, src, "an attached file") from None
        if rel.startswith("files/"):   # the attachments, under the names the site gives them (hidden names cut)
            members["evidence/" + rel[len("files/"):]] = data
    if "portfolio.json" in files:
        members["portfolio.json"] = files["portfolio.json"]
    matrix = matrix_csv(model, result.analysis)
    members["matrix.csv"] = matrix
    members["claims.csv"] = claims_csv(model, result.analysis, bom=True)   # as the site's, with a BOM like matrix.csv
    try:   # the last line of defence, as for the site (privacy/outputs.py)
        guard = OutputGuard(result.sources, model.checks)
        for name in [archive_name(model, as_of), *sorted(members)]:
            guard.check(name, members.get(name))
        if pdf:
            # made only from the members just scanned (pdf.py's fetcher serves nothing else); its text is
            # scanned again, extracted from the PDF itself
            document = _submission_pdf(model, members, as_of)
            members["submission.pdf"] = document
            from .pdf import pdf_text
            guard.check_document(pdf_name(model, as_of), document, "\n".join(pdf_text(document)))
    except PersonalDataInOutput as exc:
        result.diagnostics.append(finding("personal-data", exc.path, (1, 1), f"the export would publish personal "
                                          f"data: {exc.what}; nothing was written"))
        return result, None

    target = target or out / archive_name(model, as_of)
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    tmp = target.with_name(target.name + ".part")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(tmp, "w") as zf:
            for name in sorted(members):
                _add(zf, name, members[name], stamp)
        tmp.replace(target)
        if not named:   # a named archive is the one file asked for; matrix.csv and the PDF are inside it
            (out / "matrix.csv").write_bytes(matrix)
            if pdf:
                (out / pdf_name(model, as_of)).write_bytes(members["submission.pdf"])
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)    # never leave half an archive behind
        raise writing(exc, out, "the export") from None
    return result, target
