"""Checking data before and after a build (the `tan-check` command's library).

  videos         decoding a few frames of every video in worker processes, with the build's own
                 reasons for a bad one (`check_videos`); a UCF101/HMDB51 layout against its split
                 files; setting bad videos aside (`move_bad_videos`).
  records        a finished record set (data_prep's, local or Beam-built, or a TFDS build):
                 every shard, record and image against its manifest (`check_records`).
  contact_sheet  a picture of a few records: each position's RGB frame, flow and flow-x/flow-y
                 (`draw_contact_sheet`).
Helpers: `record_set` (what a set's JSON files promise), `record_wire` (TFRecord frames and
protos read without TensorFlow), `workers` (the worker pool).
"""
