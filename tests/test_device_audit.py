"""Device audit: a tensor made for a model that is on the course's device is made there (or moved
there), or goes through ``draw_samples`` / ``trainer.sample``, in every lesson and in gan_utils.

Why a test: on a CPU-only machine the course's device *is* the CPU, so a lesson that feeds
``G(torch.randn(...))`` to a G that GANTrainer moved to ``device`` runs fine here and in CI, and
stops with a device mismatch on every GPU (lesson 07 had one). Two checks catch that without a GPU:

1. An AST pass over every code cell of both editions, in cell order, and over gan_utils' sources.
   It follows the names bound to models on the device (passed to a trainer, moved with
   ``.to(device)``, a trainer's or lab's ``.G``/``.D``, returned by a lesson function that trains
   one, a loop variable over such models; in gan_utils every ``G``/``D``/``C``/``model`` argument
   and ``self.G``/``self.D``) and the names bound to tensors made on the CPU (``torch.randn``,
   ``zeros``, ``arange``, ... without ``device=``, and what is computed from them without
   ``.to(...)``). Calling such a model, or ``generate(model, ...)``, on such a tensor is a finding.
   A lesson function is also read at each call, with its arguments' devices.
2. The gan_utils helpers that make z, labels, probes, directions or explorer codes for a model run
   on a model on the "meta" device (as tests/test_train_core.py does): the model's first forward
   checks that all its inputs are on "meta", then stops the helper.
"""
import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
import torch
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("notebooks/zh/*.ipynb"))
SOURCES = sorted((ROOT / "gan_utils").rglob("*.py"))

FACTORIES = {"randn", "rand", "randint", "randperm", "normal", "zeros", "ones", "empty", "full", "eye",
             "arange", "linspace", "logspace", "tensor", "as_tensor", "from_numpy"}
TRAINERS = {"GANTrainer", "WGANTrainer", "ToyGAN", "run_lab", "run_mystery"}  # their .G and .D are on the device
RETURN_LAB = {"train", "load_checkpoint"}                  # lab.train(steps) is the lab again
MODEL_ATTRIBUTES = {"G", "D", "C", "critic"}               # trainer.G, lab.D, self.G
SAME_MODEL = {"eval", "train", "apply", "requires_grad_", "net", "module"}   # G.eval() is G, G.net[0] is in G
FORWARDS = {"forward", "from_class_weights"}               # G.from_class_weights(z, weights) draws like G(z)
MODEL_PARAMETERS = {"G", "D", "C", "model", "critic", "generator", "discriminator"}  # gan_utils: any device


def keyword(call, name):
    return next((k.value for k in call.keywords if k.arg == name), None)


def is_cpu_name(node):
    return isinstance(node, ast.Constant) and node.value == "cpu"


def name_of(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


@dataclass
class Scope:
    on_device: set = field(default_factory=set)   # models (and tensors) on the device
    labs: set = field(default_factory=set)        # trainers and labs: their .G/.D are on the device
    cpu: set = field(default_factory=set)         # tensors made on the CPU
    functions: dict = field(default_factory=dict)  # lesson function -> (def, where, lines)
    returns: list = field(default_factory=list)   # what this function's returns are: "device", "lab"

    def child(self):
        return Scope(set(self.on_device), set(self.labs), set(self.cpu), dict(self.functions))


def on_the_cpu(call) -> bool:
    """A trainer or lab told device="cpu" (the course's trainers otherwise use the course's device)."""
    return is_cpu_name(keyword(call, "device"))


class Audit:
    def __init__(self, library=False):
        self.library = library   # gan_utils: a G/D/C/model argument and self may be on any device
        self.findings, self.where, self.lines, self.calling = {}, "", [], []

    # --- what an expression is ---------------------------------------------------------------
    def is_cpu(self, node, scope) -> bool:
        """A tensor made on the CPU: a factory without device=, .cpu(), or computed from one."""
        if isinstance(node, ast.Name):
            return node.id in scope.cpu
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            return self.is_cpu(node.value, scope)
        if isinstance(node, ast.UnaryOp):
            return self.is_cpu(node.operand, scope)
        if isinstance(node, ast.BinOp):   # a 0-dim CPU tensor may meet a GPU one
            sides = (node.left, node.right)
            return (any(self.is_cpu(s, scope) for s in sides)
                    and not any(self.is_device(s, scope) for s in sides))
        if isinstance(node, ast.IfExp):
            return self.is_cpu(node.body, scope) or self.is_cpu(node.orelse, scope)
        if isinstance(node, (ast.List, ast.Tuple)):
            return any(self.is_cpu(e, scope) for e in node.elts)
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return False
        func, module = node.func, getattr(node.func.value, "id", None)
        if module == "torch" and func.attr in FACTORIES:
            return keyword(node, "device") is None or is_cpu_name(keyword(node, "device"))
        if module in ("torch", "F"):        # torch.cat([...]), torch.sigmoid(x), F.one_hot(labels): like their inputs
            return (any(self.is_cpu(a, scope) for a in node.args)
                    and not any(self.is_device(a, scope) for a in node.args))
        if func.attr == "cpu":
            return True
        if func.attr == "to":
            where = node.args[0] if node.args else keyword(node, "device")
            if where is None or (isinstance(where, ast.Attribute) and getattr(where.value, "id", None) == "torch"):
                return self.is_cpu(func.value, scope)   # .to(torch.float64), .to(dtype=...): a dtype only
            return is_cpu_name(where)
        return func.attr != "cuda" and self.is_cpu(func.value, scope)   # z.view(...), z.repeat(...)

    def is_device(self, node, scope) -> bool:
        """A model (or tensor) on the device."""
        if isinstance(node, ast.Name):
            return node.id in scope.on_device
        if isinstance(node, ast.Attribute):
            return ((node.attr in MODEL_ATTRIBUTES and self.is_lab(node.value, scope))
                    or (node.attr in SAME_MODEL and self.is_device(node.value, scope)))
        if isinstance(node, ast.Subscript):
            return self.is_device(node.value, scope)
        if isinstance(node, (ast.List, ast.Tuple)):
            return any(self.is_device(e, scope) for e in node.elts)
        if isinstance(node, ast.IfExp):
            return self.is_device(node.body, scope) or self.is_device(node.orelse, scope)
        if not isinstance(node, ast.Call):
            return False
        func, name = node.func, name_of(node.func)
        device = keyword(node, "device")
        if name in TRAINERS:
            return False
        if name in ("to", "cuda", "cpu"):
            where = node.args[0] if node.args else device
            if name == "cpu" or is_cpu_name(where):
                return False
            return name == "cuda" or where is not None
        if device is not None and not is_cpu_name(device):   # torch.zeros(..., device=device), load_model(...)
            return True
        if name == "deepcopy":
            return bool(node.args) and self.is_device(node.args[0], scope)
        if self.model_inputs(node, scope) is not None:       # a device model's output
            return True
        if isinstance(func, ast.Name) and func.id in scope.functions:
            return "device" in self.call_function(node, scope)
        return isinstance(func, ast.Attribute) and self.is_device(func.value, scope)   # x.detach(), G.eval()

    def is_lab(self, node, scope) -> bool:
        if isinstance(node, ast.Name):
            return node.id in scope.labs
        if not isinstance(node, ast.Call):
            return False
        name = name_of(node.func)
        if name in TRAINERS:
            return not on_the_cpu(node)
        if name in RETURN_LAB and isinstance(node.func, ast.Attribute):
            return self.is_lab(node.func.value, scope)
        return isinstance(node.func, ast.Name) and "lab" in self.call_function(node, scope)

    def model_inputs(self, call, scope):
        """The inputs of ``call`` if it runs a model on the device (else None)."""
        func, inputs = call.func, list(call.args) + [k.value for k in call.keywords]
        if self.is_device(func, scope) and not isinstance(func, ast.Call):
            return inputs
        if isinstance(func, ast.Attribute) and func.attr in FORWARDS and self.is_device(func.value, scope):
            return inputs
        if name_of(func) == "generate" and call.args and self.is_device(call.args[0], scope):
            return inputs[1:]
        return None

    # --- lesson functions, read at each call with their arguments ----------------------------------
    def call_function(self, call, scope) -> set:
        """Read a lesson function's body for this call: its arguments bound as they are here.
        Returns what it returns: "device" (a model on the device), "lab"."""
        node, where, lines = scope.functions.get(getattr(call.func, "id", None), (None, None, None))
        if node is None or node in self.calling:   # not a lesson function; recursion: read once
            return set()
        params = [a.arg for a in node.args.posonlyargs + node.args.args]
        local = scope.child()
        for param in params + [a.arg for a in node.args.kwonlyargs]:
            self.bind(param, None, local)
        arguments = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords if k.arg}
        for param, value in arguments.items():
            self.bind(param, value, local, outer=scope)
        return self.read_body(node, where, lines, local)

    def read_body(self, node, where, lines, local) -> set:
        saved = self.where, self.lines
        self.where, self.lines = where, lines
        self.calling.append(node)
        try:
            self.run(node.body, local)
        finally:
            self.calling.pop()
            self.where, self.lines = saved
        return set(local.returns)

    # --- statements --------------------------------------------------------------------------------
    def bind(self, target, value, scope, outer=None):
        """``target = value``: the name is on the device, a lab, a CPU tensor, or none of these."""
        outer = outer or scope
        if isinstance(target, (ast.Tuple, ast.List)):
            pairs = (zip(target.elts, value.elts) if isinstance(value, (ast.Tuple, ast.List))
                     and len(value.elts) == len(target.elts) else ((t, value) for t in target.elts))
            for part, part_value in pairs:
                self.bind(part, part_value, scope, outer)
            return
        name = target.value.id if isinstance(target, ast.Starred) else getattr(target, "id", target)
        if not isinstance(name, str):
            return   # x.attr = ..., x[i] = ...: not followed
        for names in (scope.on_device, scope.labs, scope.cpu):
            names.discard(name)
        if value is None:
            return
        if self.is_lab(value, outer):
            scope.labs.add(name)
        elif self.is_device(value, outer):
            scope.on_device.add(name)
        elif self.is_cpu(value, outer):
            scope.cpu.add(name)

    def check(self, node, scope):
        """Every call in ``node``: a device model fed a CPU tensor is a finding; a trainer moves its
        models; G.to(device) moves G."""
        if node is None:
            return
        local = scope
        loops = [g for g in ast.walk(node) if isinstance(g, ast.comprehension) and self.mentions_device(g.iter, scope)]
        if loops:   # [G(z) for G in (G_a, G_b)]
            local = scope.child()
            for loop in loops:
                local.on_device |= {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            for tensor in self.model_inputs(call, local) or ():
                if self.is_cpu(tensor, local):
                    self.report(call, tensor)
            if isinstance(call.func, ast.Name) and call.func.id in scope.functions:
                self.call_function(call, local)
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            name = name_of(call.func)
            if name in ("GANTrainer", "WGANTrainer") and not on_the_cpu(call):
                models = call.args[:2] + [v for v in (keyword(call, "G"), keyword(call, "D")) if v is not None]
                scope.on_device |= {root.id for root in map(self.root, models) if isinstance(root, ast.Name)}
            elif name in ("to", "cuda", "cpu") and isinstance(node, ast.Expr) and isinstance(call.func.value, ast.Name):
                (scope.on_device.add if self.is_device(call, scope) else scope.on_device.discard)(call.func.value.id)

    def root(self, node):
        """G for G.apply(weights_init).to(device)."""
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        return node

    def mentions_device(self, node, scope) -> bool:
        return any(self.is_device(n, scope) for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute)))

    def run(self, body, scope):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.functions[stmt.name] = (stmt, self.where, self.lines)
                local = scope.child()
                for arg in ast.walk(stmt.args):
                    if isinstance(arg, ast.arg):
                        self.bind(arg.arg, None, local)
                if self.library:   # gan_utils works for a model on any device: its G, D, self.G
                    local.on_device |= MODEL_PARAMETERS | {"self"}
                    local.labs.add("self")
                self.read_body(stmt, self.where, self.lines, local)   # as defined; again at each call
            elif isinstance(stmt, ast.ClassDef):
                self.run(stmt.body, scope.child())
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                self.check(stmt.iter, scope)
                moves = self.mentions_device(stmt.iter, scope)
                for name in (n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)):
                    self.bind(name, None, scope)
                    if moves:   # for name, G in [("a", G_a), ("b", G_b)]
                        scope.on_device.add(name)
                self.run(stmt.body + stmt.orelse, scope)
            elif isinstance(stmt, (ast.If, ast.While)):
                self.check(stmt.test, scope)
                self.run(stmt.body + stmt.orelse, scope)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    self.check(item.context_expr, scope)
                    if item.optional_vars is not None:
                        self.bind(item.optional_vars, None, scope)
                self.run(stmt.body, scope)
            elif isinstance(stmt, ast.Try):
                self.run(stmt.body + [s for h in stmt.handlers for s in h.body] + stmt.orelse + stmt.finalbody, scope)
            else:
                self.check(stmt, scope)
                if isinstance(stmt, ast.Return) and stmt.value is not None:
                    scope.returns += (["lab"] if self.is_lab(stmt.value, scope) else
                                      ["device"] if self.is_device(stmt.value, scope) else [])
                elif isinstance(stmt, ast.Assign):
                    for target in stmt.targets:
                        self.bind(target, stmt.value, scope)
                elif isinstance(stmt, ast.AnnAssign):
                    self.bind(stmt.target, stmt.value, scope)

    def report(self, call, tensor):
        line = self.lines[call.lineno - 1].strip() if call.lineno <= len(self.lines) else ""
        made = ast.unparse(tensor)
        self.findings[(self.where, call.lineno, made)] = (
            f"{self.where}, line {call.lineno}: {line}\n"
            f"    the model is on the course's device (a trainer or .to(device) put it there), but "
            f"{made if len(made) < 80 else made[:77] + '...'} is made on the CPU: on a GPU this stops with a "
            f"device mismatch. Make it there (.to(device); device=device when no CPU generator draws it), "
            f"or draw through draw_samples(G, n) / trainer.sample(z).")


def audit_cells(cells, library=False):
    """Findings for ``cells``: (label, source) pairs read in order, in one scope."""
    audit, scope = Audit(library), Scope()
    for label, source in cells:
        audit.where, audit.lines = label, source.splitlines()
        audit.run(ast.parse(TransformerManager().transform_cell(source)).body, scope)
    return list(audit.findings.values())


def lesson_cells(path):
    name = path.relative_to(ROOT).as_posix()
    notebook = nbformat.read(path, as_version=4)
    return [(f"{name}, cell {index}", cell.source) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_no_lesson_feeds_a_model_on_the_device_a_tensor_made_on_the_cpu(path):
    findings = audit_cells(lesson_cells(path))
    assert not findings, f"{len(findings)} tensor(s) made on the CPU for a model on the device:\n" + "\n".join(findings)


def test_no_gan_utils_function_feeds_its_model_a_tensor_made_on_the_cpu():
    findings = [finding for path in SOURCES for finding in audit_cells(
        [(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))], library=True)]
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("code, fixed", [
    ("def draw(G, n):\n    return generate(G, torch.randn(n, G.latent_dim))",
     "def draw(G, n):\n    return generate(G, torch.randn(n, G.latent_dim).to(next(G.parameters()).device))"),
    ("class Lab:\n    def look(self):\n        return self.G(torch.zeros(1, 2))",
     "class Lab:\n    def look(self):\n        return self.G(torch.zeros(1, 2, device=self.device))"),
])
def test_the_audit_reads_a_gan_utils_model_as_on_any_device(code, fixed):
    assert audit_cells([("gan_utils/x.py", code)], library=True), f"missed:\n{code}"
    assert not audit_cells([("gan_utils/x.py", fixed)], library=True), f"flagged:\n{fixed}"


LESSON_07 = """\
def train_mlp_gan(lr):
    G, D = MLPGenerator(), MLPDiscriminator()
    GANTrainer(G, D, batches, lr=lr, device=device).fit(1)
    return G

G_balanced, G_fast = train_mlp_gan(2e-4), train_mlp_gan(1e-3)
for column, (name, G) in enumerate([("balanced", G_balanced), ("fast", G_fast)]):
    with torch.no_grad():
        show_grid(G(torch.randn(48, 100, generator=torch.Generator().manual_seed(0))))
"""


@pytest.mark.parametrize("lesson, bug, fix", [
    (LESSON_07, "G(torch.randn(48, 100, generator=torch.Generator().manual_seed(0)))", "draw_samples(G, 48)"),
    ("G = MLPGenerator().to(device)\nz = torch.randn(4, 100)\nx = G(z.view(4, 100))", "z = torch.randn(4, 100)",
     "z = torch.randn(4, 100).to(device)"),
    ("trainer = GANTrainer(G, D, batches, device=device)\nx = trainer.G(trainer.noise(3), torch.arange(3))",
     "torch.arange(3)", "torch.arange(3, device=device)"),
    ("lab = ToyGAN(seed=0, device=device).train(10)\nx = generate(lab.G, torch.randn(5, 2))", "torch.randn(5, 2)",
     "torch.randn(5, 2).to(device)"),
    ("def look(G, n):\n    return G(torch.randn(n, 100))\n\nG = MLPGenerator().to(device)\nlook(G, 4)",
     "torch.randn(n, 100)", "torch.randn(n, 100, device=device)"),
    ("G = MLPGenerator()\nx = G(torch.randn(4, 100))\n"   # G moves at the trainer, not before
     "GANTrainer(G, D, batches, device=device)\ny = G(torch.zeros(1, 100))",
     "torch.zeros(1, 100)", "torch.zeros(1, 100, device=device)"),
])
def test_the_audit_finds_the_lesson_07_kind_of_bug(lesson, bug, fix):
    assert len(audit_cells([("lesson, cell 0", lesson)])) == 1, f"the audit missed the bug in:\n{lesson}"
    assert not audit_cells([("lesson, cell 0", lesson.replace(bug, fix))]), f"the fix {fix} was flagged"
    on_cpu = lesson.replace("device=device", 'device="cpu"').replace(".to(device)", "")
    assert not audit_cells([("lesson, cell 0", on_cpu)]), f"a model on the CPU was flagged:\n{on_cpu}"


# --- the helpers make their model's inputs on the model's device ---------------------------------

class Reached(Exception):
    """A model was called with all its inputs on "meta", its device: the helper did its part."""


@pytest.fixture
def first_forward_checks_its_inputs():
    """Every module's forward first checks that its tensor inputs are on "meta", then stops the caller
    (a helper's pictures and scores cannot be read back from "meta")."""
    def check(module, inputs):
        devices = {t.device.type for t in inputs if isinstance(t, torch.Tensor)}
        assert devices <= {"meta"}, f"{type(module).__name__} is on meta but got inputs on {sorted(devices)}"
        raise Reached
    handle = torch.nn.modules.module.register_module_forward_pre_hook(check)
    yield
    handle.remove()


def helpers():
    from gan_utils.debugging import run_lab
    from gan_utils.latent import ink_change, principal_directions, random_directions
    from gan_utils.metrics import draw_samples, score_generator
    from gan_utils.models import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, MLPGenerator
    from gan_utils.toy import ToyGAN, decision_surface, gradient_field
    from gan_utils.train import GANTrainer
    from gan_utils.widgets import LatentExplorer

    def mlp():
        return MLPGenerator(latent_dim=8, hidden_dim=4).to("meta")

    def cgan():
        return ConditionalDCGANGenerator(latent_dim=8, ngf=4).to("meta")

    def lab():
        return ToyGAN(hidden_dim=8, device="meta")

    digits = torch.rand(8, 1, 28, 28) * 2 - 1
    return {
        "draw_samples": lambda: draw_samples(mlp(), 3),
        "draw_samples, labels": lambda: draw_samples(cgan(), 3, labels=torch.tensor([1, 2, 3])),
        "score_generator": lambda: score_generator(cgan(), digits, n=4),
        "principal_directions": lambda: principal_directions(cgan(), 2, num_points=2),
        "ink_change": lambda: ink_change(cgan(), torch.ones(8), n=2),
        "LatentExplorer": lambda: LatentExplorer(mlp(), directions=random_directions(8, 2)).image(),
        "LatentExplorer, a digit": lambda: LatentExplorer(cgan(), directions=random_directions(8, 2), digit=3).image(),
        "trainer.sample, labels": lambda: GANTrainer(cgan(), ConditionalDCGANDiscriminator(ndf=4), None, device="meta")
                                          .sample(torch.randn(2, 8), labels=torch.tensor([4, 5])),
        "ToyGAN.sample": lambda: lab().sample(5),
        "decision_surface": lambda: decision_surface(lab().D, resolution=4),
        "gradient_field": lambda: gradient_field(lab().D, torch.zeros(3, 2)),
        "run_lab": lambda: run_lab(digits, steps=1, device="meta", progress=False),
    }


@pytest.mark.parametrize("name", list(helpers()))
def test_a_helper_makes_its_models_inputs_on_the_models_device(name, first_forward_checks_its_inputs):
    with pytest.raises(Reached):
        helpers()[name]()
