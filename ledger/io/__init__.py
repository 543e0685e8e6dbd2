"""Files in and out: the CSV and XLSX exports of the attribution read models and the import
files of monthly reports (docs/api.md, the README's command table).

Flask-free and database-free: the delivery adapters (ledger.api, ledger.cli, and the web UI)
call it to turn a read model into file bytes, and an uploaded file into the typed input of
ledger.commands.imports. It reads untrusted files defensively (size, encoding, zip bombs,
XML entities, formulas) and writes amounts as exact decimal text, never through a float.

    tables       read an uploaded CSV or XLSX into a header and rows of text cells
    sheets       write a titled table to CSV (UTF-8 with BOM) or XLSX (openpyxl)
    exports      the attribution and project-line sheets, and their JSON shape
    imports      import-file rows → ReportRow inputs (through the request schema); the template
"""
