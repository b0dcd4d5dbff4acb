"""Videos -> TV-L1 flow -> TFRecords: the data's way from a video file to a shard.

Subpackages, in the order a video goes through them:
  datasets/  the dataset layouts: official UCF101/HMDB51 split files, folder-per-class datasets
             (`splits`), and a tensorflow-datasets builder over the same work (`tfds_builder`);
  decoding/  decoding a video with OpenCV (`video`), choosing its K stored positions
             (`positions`), and one new video as a trained model sees it (`model_input`);
  flow/      TV-L1 optical flow and its uint8 quantisation (`tvl1`), with OpenCV or the JAX
             kernel (`tvl1_jax`, on `tvl1_jax_ops`);
  records/   the record encoding, shards and manifest (`writing`), without TensorFlow
             (`proto_wire`, `tfrecord_wire`);
  build/     the build: the per-video function (`extract`), the plan (`plan`), the resumable work
             folder both engines share (`work_folder`), the local engine (`local`, with
             `jax_engine`), the Apache Beam engine (`beam_pipeline`, `beam_runners`) and the
             end-of-build summary (`summary`).
`files` holds the path helpers (local or gs://) they share. The command is `build_records`
(`tan-build-records`).
"""
