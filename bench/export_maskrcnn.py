#!/usr/bin/python3
"""Exports torchvision's Mask R-CNN ResNet50-FPN to models/maskrcnn.onnx for the benchmark suite.

The result has the interface of the ONNX zoo's MaskRCNN-10: one float32 image [3, 800, 800] in,
`boxes` [N, 4], `labels` [N] (int64), `scores` [N] and `masks` [N, 1, 28, 28] out. The masks are
the mask head's per-box probabilities, not pasted into the image (torchvision's default would
answer N x 1 x 800 x 800 floats).

Weights are random (seeded): nothing can be downloaded here, and the benchmarks measure cost, not
accuracy. The score threshold is 0, so every image yields the maximum of 100 detections and the
mask head always runs on 100 boxes: the cost per inference does not depend on the input.

Needs Debian's packages (run with the system Python, not a pyenv one):
    apt-get install -y python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 bench/export_maskrcnn.py        # or: npm run export-maskrcnn
Takes about 95 s on 2 cores and writes about 178 MB.
"""

import argparse
import os
import sys
import time

SYSTEM_PYTHON = "/usr/bin/python3"

try:
    import torch
    import torchvision
    from torchvision.models.detection.transform import resize_boxes
except ImportError as error:
    # `npm run export-maskrcnn` calls whichever python3 is first on PATH (often pyenv's):
    # hand over to the system interpreter, which sees Debian's packages.
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    sys.exit(
        f"cannot import torch/torchvision ({error}).\n"
        "Install Debian's packages and use the system Python:\n"
        "  apt-get install -y python3-torch python3-torchvision python3-onnx\n"
        "  /usr/bin/python3 bench/export_maskrcnn.py"
    )

IMAGE_SIZE = 800
OPSET = 11
SEED = 0
MASK_DIMS = (1, 28, 28)
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "maskrcnn.onnx")


class ZooLikeMaskRCNN(torch.nn.Module):
    """Runs Mask R-CNN on one image and stops before torchvision pastes the masks into the image."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor):
        original_size = (image.shape[-2], image.shape[-1])
        images, _ = self.model.transform([image])
        features = self.model.backbone(images.tensors)
        proposals, _ = self.model.rpn(images, features)
        detections, _ = self.model.roi_heads(features, proposals, images.image_sizes)
        found = detections[0]
        # What transform.postprocess does to the boxes; its mask pasting is what we leave out.
        boxes = resize_boxes(found["boxes"], images.image_sizes[0], original_size)
        return boxes, found["labels"], found["scores"], found["masks"]


def build_model() -> torch.nn.Module:
    torch.manual_seed(SEED)
    model = torchvision.models.detection.maskrcnn_resnet50_fpn(
        weights=None,
        weights_backbone=None,
        box_score_thresh=0.0,
    )
    return ZooLikeMaskRCNN(model).eval()


def export(out: str) -> None:
    model = build_model()
    image = torch.rand(3, IMAGE_SIZE, IMAGE_SIZE, generator=torch.Generator().manual_seed(SEED))
    with torch.no_grad():
        boxes, _, _, masks = model(image)
    print(f"PyTorch: {boxes.shape[0]} detections, masks {list(masks.shape)}")
    if tuple(masks.shape[1:]) != MASK_DIMS:
        raise SystemExit(f"masks have shape {list(masks.shape)}, expected [N, 1, 28, 28]")

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    temporary = f"{out}.{os.getpid()}.tmp"
    started = time.monotonic()
    try:
        torch.onnx.export(
            model,
            (image,),
            temporary,
            opset_version=OPSET,
            input_names=["image"],
            output_names=["boxes", "labels", "scores", "masks"],
            dynamic_axes={name: {0: "detections"} for name in ("boxes", "labels", "scores", "masks")},
            do_constant_folding=True,
        )
        pin_mask_dims(temporary)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    size_mb = os.path.getsize(out) / 1e6
    print(f"wrote {out} ({size_mb:.0f} MB) in {time.monotonic() - started:.0f} s")


def pin_mask_dims(path: str) -> None:
    """Writes the masks' fixed dims [N, 1, 28, 28] into the graph: the tracer leaves them symbolic,
    and servers answer metadata from the graph. Validates the result with the ONNX checker."""
    try:
        import onnx
    except ImportError:
        print("python3-onnx is not installed: the masks output keeps symbolic dims")
        return
    model = onnx.load(path)
    masks = next(output for output in model.graph.output if output.name == "masks")
    for dim, size in zip(masks.type.tensor_type.shape.dim[1:], MASK_DIMS):
        dim.dim_value = size  # replaces the tracer's dim_param (a oneof)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    describe = lambda values: [(v.name, [d.dim_value or d.dim_param for d in v.type.tensor_type.shape.dim]) for v in values]
    print(f"ONNX inputs {describe(model.graph.input)}\nONNX outputs {describe(model.graph.output)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to write the model (default: models/maskrcnn.onnx)")
    export(os.path.normpath(parser.parse_args().out))


if __name__ == "__main__":
    main()
