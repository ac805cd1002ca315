"""`convlens report RUN_DIR` through the real argument parser."""
import json

from convlens.cli.main import build_parser, main


def test_report_subcommand_is_registered():
    args = build_parser().parse_args(["report", "runs/x", "--sample", "3", "-o", "out.html"])
    assert (args.run_dir, args.sample, args.output) == ("runs/x", 3, "out.html")
    assert callable(args.func)


def test_writes_report_html_in_the_run_folder(tmp_path, capsys):
    (tmp_path / "history.csv").write_text("epoch,loss,val_loss\n0,0.9,1.0\n1,0.5,0.7\n")
    (tmp_path / "metrics.json").write_text(json.dumps({"test_loss": 0.25, "test_accuracy": 0.93}))
    assert main(["report", str(tmp_path), "--title", "My run"]) == 0
    report = tmp_path / "report.html"
    assert capsys.readouterr().out.strip() == f"wrote {report}"
    page = report.read_text()
    assert "<title>My run</title>" in page
    assert "93.00%" in page and "data:image/png;base64," in page


def test_missing_run_folder_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "convlens report: error:" in err and "is not a directory" in err
