"""The collated views' pages and commands: the service dashboard (for a manager, any team or IRO; for an IRO,
their own reviews), its CSV files, the annual-report pack for a manager (HTML and PDF, portal.insights.report),
and the DfE SSDA903 reviews file, imported by an administrator (page or `flask insights import-903 FILE`) and
exported for a year (page or `flask insights export-903`).

Every view and export of the figures is audited."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import record_event
from portal.exports import csv_download, csv_text
from portal.extensions import db
from portal.insights import dfe903, suppression
from portal.insights import report as pack
from portal.insights.filters import QUARTERS, filters_from, year_choices, year_number
from portal.insights.forms import Import903Form
from portal.insights.models import Import903
from portal.insights.sections import presented, section, sections
from portal.reviews.dates import reporting_year
from portal.security import ADMIN, CASEWORK, IRO, MANAGER, role_required
from portal.staff.models import StaffUser, Team

bp = Blueprint("insights", __name__, cli_group="insights")
bp.add_app_template_global(suppression.threshold, "suppression_threshold")


@bp.get("/insights")
@role_required(*CASEWORK)
def dashboard():
    """The service's figures for a period (an IRO's own, or a manager's chosen team, IRO or the service)."""
    filters = filters_from(request.args, current_user)
    results = [(item, *presented(item, item.compute(filters))) for item in sections()]
    record_event("insights_viewed", "insights", None, detail=filters.detail())
    db.session.commit()
    choices = {}
    if current_user.role == MANAGER:
        choices = {"teams": db.session.scalars(db.select(Team).order_by(Team.name)).all(),
                   "iros": db.session.scalars(db.select(StaffUser).filter_by(role=IRO).order_by(StaffUser.name))
                   .all()}
    return render_template("insights/dashboard.html", filters=filters, results=results, years=year_choices(),
                           quarters=QUARTERS, is_manager=current_user.role == MANAGER, **choices)


@bp.get("/insights/<section_key>/<table_key>.csv")
@role_required(*CASEWORK)
def table_csv(section_key: str, table_key: str):
    """One of the dashboard's tables as a spreadsheet, for the same filters."""
    found = section(section_key)
    if found is None:
        abort(404)
    filters = filters_from(request.args, current_user)
    table = presented(found, found.compute(filters))[1].tables.get(table_key)
    if table is None:
        abort(404)
    record_event("insights_exported", "insights", None, detail=f"{section_key}/{table_key} {filters.detail()}")
    db.session.commit()
    name = f"{section_key}-{table_key}-{filters.first_day.isoformat()}-{filters.last_day.isoformat()}.csv"
    return csv_download(name.replace("_", "-"), [str(cell) for cell in table.header], table.rows)


@bp.get("/insights/report")
@role_required(MANAGER)
def report():
    """The annual-report pack as a page (to read, or print): every section's figures, charts and tables."""
    filters = filters_from(request.args, current_user)
    body = pack.report_html(filters, current_user, stylesheet_url=url_for("insights.report_css"))
    record_event("insights_report", "insights", None, detail=f"html {filters.detail()}")
    db.session.commit()
    return body


@bp.get("/insights/report.pdf")
@role_required(MANAGER)
def report_pdf():
    """The annual-report pack as a PDF (WeasyPrint), to download."""
    filters = filters_from(request.args, current_user)
    body = pack.report_pdf(filters, current_user)
    record_event("insights_report", "insights", None, detail=f"pdf {filters.detail()}")
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    name = f"iro-annual-report-{pack.period_slug(filters)}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/insights/report.css")
@role_required(MANAGER)
def report_css():
    """The pack's stylesheet (the page's CSP allows no inline style; the PDF reads the same file)."""
    response = make_response(pack.stylesheet_text())
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    return response


@bp.route("/insights/dfe903", methods=["GET", "POST"])
@role_required(ADMIN)
def dfe903_import():
    """Upload a past year's reviews file; see what was imported before."""
    form = Import903Form()
    errors: tuple[dfe903.RowError, ...] = ()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(dfe903.MAX_BYTES + 1) if upload else b""
        if not data:
            form.file.errors.append(_("Choose a reviews file to import"))
        else:
            result = dfe903.import_file(data, filename=getattr(upload, "filename", "") or "",
                                        imported_by_id=current_user.id)
            if result.ok:
                db.session.commit()
                flash(_("Imported %(num)d reviews.", num=result.imported.rows), "success")
                return redirect(url_for("insights.dfe903_import"), 303)
            db.session.rollback()
            errors = result.errors
    imports = db.session.scalars(db.select(Import903).order_by(Import903.imported_at.desc())).all()
    status = 422 if errors or form.errors else 200
    return render_template("insights/dfe903.html", form=form, errors=errors, imports=imports,
                           years=year_choices()), status


@bp.get("/insights/dfe903.csv")
@role_required(MANAGER, ADMIN)
def dfe903_export():
    """The SSDA903 reviews file for a reporting year (?year=2025 for 2025-26)."""
    year = reporting_year(date(year_number(request.args.get("year")), 4, 1))
    header, rows = dfe903.file_cells(dfe903.year_rows(year))
    record_event("dfe903_exported", "reporting_year", year.first_day.year, detail=str(len(rows)))
    db.session.commit()
    return csv_download(f"ssda903-reviews-{year.label}.csv", header, rows)


@bp.cli.command("import-903")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_903_command(path: Path) -> None:
    """Import a past year's SSDA903 reviews file: every row, or none with the errors listed."""
    result = dfe903.import_file(path.read_bytes(), filename=path.name)
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            click.echo(f"line {error.line}: {error.message}" if error.line else error.message, err=True)
        click.echo(f"Nothing imported: {len(result.errors)} problem(s).", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported {result.imported.rows} reviews ({result.imported.first_review:%d/%m/%Y} to "
               f"{result.imported.last_review:%d/%m/%Y}).")


@bp.cli.command("export-903")
@click.option("--year", type=int, required=True, help="The reporting year's first year: 2025 for 2025-26.")
def export_903_command(year: int) -> None:
    """Print a reporting year's SSDA903 reviews file (CSV) on standard output."""
    reporting = reporting_year(date(year, 4, 1))
    header, rows = dfe903.file_cells(dfe903.year_rows(reporting))
    missing = dfe903.held_without_code(reporting)
    if missing:
        click.echo(f"{missing} held review(s) in {reporting.label} have no participation code and are left out.",
                   err=True)
    click.echo(csv_text(header, rows).lstrip("\ufeff"), nl=False)
