"""The files virnucsim reads and writes, all tab-separated text.

Work files (under OUTDIR/virnucsim_work/, removed after a successful run) carry the
kept frames to the workers (`frame_id, nucleotide, protein`) and the workers' scores
back (`frame_id, score0, score1`, floats written exactly with repr). The results use
VirNucPro's names and columns:

  prediction_results.txt              Sequence_ID Prediction score1 score2 (per frame)
  prediction_results_highestscore.csv Modified_ID Is_Virus max_score_0 max_score_1
                                      (per chunk; tab-separated despite .csv, as the
                                      original writes it with pandas sep="\\t")
  prediction_results_per_read.tsv     Sequence_ID Is_Virus max_score_0 max_score_1 chunks
                                      (per read; not in the original)
"""

import os

from .consensus import frame_label

PREDICTIONS_FILE = "prediction_results.txt"
HIGHEST_SCORE_FILE = "prediction_results_highestscore.csv"
PER_READ_FILE = "prediction_results_per_read.tsv"
WORK_DIR = "virnucsim_work"


def _write_rows(path, header, rows):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        if header:
            out.write("\t".join(header) + "\n")
        for row in rows:
            out.write("\t".join(str(field) for field in row) + "\n")
    os.replace(tmp, path)


def _read_rows(path, columns):
    rows = []
    with open(path, "r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != columns:
                raise ValueError(f"{path}:{number}: expected {columns} fields, got {len(fields)}")
            rows.append(fields)
    return rows


def write_work_file(path, frames):
    """Writes frames (with frame_id, nucleotide, protein) for a worker."""
    _write_rows(path, None, ((f.frame_id, f.nucleotide, f.protein) for f in frames))


def read_work_file(path):
    """Reads a work file back as a list of (frame_id, nucleotide, protein)."""
    return [tuple(row) for row in _read_rows(path, 3)]


def write_scores(path, scores):
    """Writes (frame_id, score0, score1) rows; floats keep every digit."""
    _write_rows(path, None, ((fid, repr(float(s0)), repr(float(s1))) for fid, s0, s1 in scores))


def read_scores(path):
    """Reads (frame_id, score0, score1) rows written by write_scores."""
    return [(fid, float(s0), float(s1)) for fid, s0, s1 in _read_rows(path, 3)]


def format_score(value):
    """Scores in the result files: fixed six decimals."""
    return f"{value:.6f}"


def write_prediction_results(path, predictions):
    """prediction_results.txt: one row per kept frame, in input order."""
    _write_rows(
        path,
        ("Sequence_ID", "Prediction", "score1", "score2"),
        (
            (p.frame_id, frame_label(p.score0, p.score1), format_score(p.score0), format_score(p.score1))
            for p in predictions
        ),
    )


def write_highest_scores(path, chunk_calls):
    """prediction_results_highestscore.csv: one row per chunk."""
    _write_rows(
        path,
        ("Modified_ID", "Is_Virus", "max_score_0", "max_score_1"),
        (
            (c.group_id, str(bool(c.is_virus)), format_score(c.max_score_0), format_score(c.max_score_1))
            for c in chunk_calls
        ),
    )


def write_read_calls(path, read_calls, chunks_per_read):
    """prediction_results_per_read.tsv: one row per read that kept any frame."""
    _write_rows(
        path,
        ("Sequence_ID", "Is_Virus", "max_score_0", "max_score_1", "chunks"),
        (
            (
                c.group_id,
                str(bool(c.is_virus)),
                format_score(c.max_score_0),
                format_score(c.max_score_1),
                chunks_per_read.get(c.group_id, 0),
            )
            for c in read_calls
        ),
    )
