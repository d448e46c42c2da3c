#!/usr/bin/env bash
# Gather real ONNX models from PyPI wheels, with onnxruntime's outputs as references, for the wasi_nn ONNX
# backend's `onnx_real_models` test; print the directory.
#
#   WASI_NN_ONNX_MODELS=$(tests/models/fetch-onnx-models.sh) \
#       cargo test -p wasmedge-plugin-wasi-nn --test onnx_suites -- --ignored onnx_real_models
#
# The models:
# - the OCR detector, recogniser and classifier of `rapidocr-onnxruntime` (PP-OCRv4, real weights), fed a
#   line of text rendered with Pillow and normalised as RapidOCR does, so their outputs mean something;
# - Silero VAD from `silero-vad` (an LSTM with state inputs and outputs; with and without `If` nodes), fed a
#   synthetic signal;
# - the "light" model zoo in the `onnx` wheel (squeezenet, resnet50, alexnet, densenet121, inception v1/v2,
#   shufflenet, vgg19, zfnet512): the real architectures, but the wheel replaces their weights by constants,
#   so every class gets the same score; they check that the graphs load and run, not the numerics.
# The inputs are deterministic (fixed seeds, shapes and text); onnxruntime, from PyPI in a virtualenv of the
# cache, computes the outputs. Each case is written in the layout of ONNX's backend test data:
# <dir>/<case>/model.onnx and test_data_set_0/{input,output}_N.pb.
# CACHE is $WASMEDGE_MODEL_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/wasmedge-rs/models.
set -euo pipefail
cache=${WASMEDGE_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmedge-rs/models}
out=$cache/onnx
venv=$cache/onnx-venv
stamp=$out/.complete-v2
if [ -e "$stamp" ]; then
    echo "$out"
    exit 0
fi
mkdir -p "$cache"
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv" >&2
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "onnx==1.23.2" "onnxruntime==1.32.0" "numpy==2.4.6" "pillow==13.0.0" >&2
wheels=$(mktemp -d "$cache/.wheels.XXXXXX")
trap 'rm -rf "$wheels"' EXIT
"$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --dest "$wheels" \
    "rapidocr-onnxruntime==1.4.4" "silero-vad==6.2.3" >&2
rm -rf "$out.partial"
"$venv/bin/python" - "$wheels" "$out.partial" <<'PY'
import glob, os, sys, zipfile
import numpy as np
import onnx, onnx.numpy_helper
import onnxruntime as ort
from PIL import Image, ImageDraw, ImageFont

wheels, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
models = {}
light = os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/light")
for path in sorted(glob.glob(os.path.join(light, "light_*.onnx"))):
    models[os.path.basename(path)[:-5]] = (open(path, "rb").read(), {})
ocr = zipfile.ZipFile(glob.glob(os.path.join(wheels, "rapidocr_onnxruntime-*.whl"))[0])
# Symbolic dimensions fixed per model: batch 1, then sizes the OCR pipeline uses.
shapes = {
    "ch_PP-OCRv4_det_infer": {2: 320, 3: 320},
    "ch_PP-OCRv4_rec_infer": {2: 48, 3: 320},
    "ch_ppocr_mobile_v2.0_cls_infer": {2: 48, 3: 192},
}
for name, dims in shapes.items():
    models[name] = (ocr.read(f"rapidocr_onnxruntime/models/{name}.onnx"), dims)
vad = zipfile.ZipFile(glob.glob(os.path.join(wheels, "silero_vad-*.whl"))[0])
for name in ["silero_vad", "silero_vad_op18_ifless"]:
    models[name] = (vad.read(f"silero_vad/data/{name}.onnx"), {})


def text_image(width, height, text, size):
    """A line of dark text on a light background, as an RGB float array in [0, 1] (HWC)."""
    image = Image.new("RGB", (width, height), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size)
    draw.text((6, (height - size) // 2 - 2), text, fill=(20, 20, 30), font=font)
    return np.asarray(image, dtype=np.float32) / 255.0


def ocr_input(name):
    """RapidOCR's preprocessing: the detector normalises with ImageNet's mean and std, the recogniser and
    the classifier to [-1, 1]; NCHW."""
    if name.startswith("ch_PP-OCRv4_det"):
        img = np.zeros((320, 320, 3), dtype=np.float32) + 0.96
        for row, line in enumerate(["wasmedge-rs 2026", "ONNX on tract", "hello, world 42"]):
            img[40 + row * 90:40 + row * 90 + 48, :, :] = text_image(320, 48, line, 30)
        x = (img - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    elif name.startswith("ch_PP-OCRv4_rec"):
        x = (text_image(320, 48, "Hello World 2026", 30) - 0.5) / 0.5
    else:
        x = (text_image(192, 48, "upright text", 26) - 0.5) / 0.5
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def vad_inputs(model):
    t = np.arange(512, dtype=np.float32) / 16000
    signal = 0.3 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t) + 0.02 * np.random.default_rng(7).standard_normal(512)
    feeds = {}
    for inp in model.graph.input:
        if inp.name == "input":
            feeds[inp.name] = signal.astype(np.float32)[None]
        elif inp.name == "state":
            feeds[inp.name] = np.random.default_rng(8).standard_normal((2, 1, 128)).astype(np.float32) * 0.1
        elif inp.name == "sr":
            feeds[inp.name] = np.array(16000, dtype=np.int64)
    return feeds

types = {1: np.float32, 2: np.uint8, 6: np.int32, 7: np.int64, 10: np.float16, 11: np.float64}
for seed, (name, (data, fixed)) in enumerate(sorted(models.items())):
    model = onnx.load_from_string(data)
    inits = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(seed)
    feeds = vad_inputs(model) if name.startswith("silero") else {}
    for inp in model.graph.input:
        if inp.name in inits or inp.name in feeds:
            continue
        if name.startswith("ch_"):
            feeds[inp.name] = ocr_input(name)
            continue
        t = inp.type.tensor_type
        shape = [d.dim_value if d.dim_value > 0 else fixed.get(i, 1) for i, d in enumerate(t.shape.dim)]
        dtype = types[t.elem_type]
        if np.issubdtype(dtype, np.floating):
            feeds[inp.name] = rng.random(shape, dtype=np.float64).astype(dtype)
        else:
            feeds[inp.name] = rng.integers(0, 4, shape).astype(dtype)
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    results = session.run(None, feeds)
    case = os.path.join(out, name)
    os.makedirs(os.path.join(case, "test_data_set_0"))
    with open(os.path.join(case, "model.onnx"), "wb") as f:
        f.write(data)
    for i, value in enumerate(feeds.values()):
        with open(os.path.join(case, "test_data_set_0", f"input_{i}.pb"), "wb") as f:
            f.write(onnx.numpy_helper.from_array(value).SerializeToString())
    for i, value in enumerate(results):
        with open(os.path.join(case, "test_data_set_0", f"output_{i}.pb"), "wb") as f:
            f.write(onnx.numpy_helper.from_array(np.asarray(value)).SerializeToString())
    print(f"{name}: inputs {[v.shape for v in feeds.values()]}, outputs {[np.asarray(r).shape for r in results]}",
          file=sys.stderr)
PY
rm -rf "$out"
mv "$out.partial" "$out"
touch "$stamp"
echo "$out"
