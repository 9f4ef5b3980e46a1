"""Expressions: literals, names, attributes, subscripts, operators, comprehensions and the arguments of
a call, evaluated statically. The Interpreter's Expressions part (migrate/parse/interpreter.py).
"""
from __future__ import annotations

import posixpath
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from kfmigrate.migrate.parse import imports as names
from kfmigrate.migrate.parse.builds import MAX_UNROLL, Scope
from kfmigrate.migrate.parse.symbols import (
    BoundMethod, ContextDag, Duration, FileValue, GroupDef, GroupRef, Imported, LabelValue, Labelled, LambdaValue,
    LocalClass, ModuleRef, Opaque, Override, PathValue, StaticError, SuperCall, TaskFlowDef, TaskRef,
)
from kfmigrate.migrate.parse.values import CONTAINER_METHODS, duration_arith, is_unknown


class Expressions:
    def eval_guarded(self, node: cst.BaseExpression, scope: Scope) -> Any:
        try:
            return self.eval(node, scope)
        except StaticError as err:
            if err.code in ("KFM111", "KFM113", "KFM114", "KFM115", "KFM116", "KFM112"):
                raise
            return Opaque(self.code(node), err.message)

    def eval(self, node: cst.BaseExpression, scope: Scope) -> Any:
        method = getattr(self, f"eval_{type(node).__name__}", None)
        if method is None:
            return Opaque(self.code(node), f"{type(node).__name__} is not evaluated statically")
        return method(node, scope)

    def eval_Integer(self, node, scope):
        return int(node.value.replace("_", ""), 0) if not node.value.startswith("0") or node.value == "0" or node.value[:2].lower() in ("0x", "0o", "0b") else int(node.value.replace("_", ""))

    def eval_Float(self, node, scope):
        return float(node.value.replace("_", ""))

    def eval_Imaginary(self, node, scope):
        return Opaque(self.code(node), "complex number")

    def eval_SimpleString(self, node, scope):
        value = node.evaluated_value
        return value if isinstance(value, str) else Opaque(self.code(node), "bytes literal")

    def eval_ConcatenatedString(self, node, scope):
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return Opaque(self.code(node), "string with unknown parts")

    def xcom_template(self, ref: TaskRef) -> str:
        """`str(xcom_arg)` or an XComArg in an f-string: Airflow's XComArg.__str__, a Jinja xcom_pull
        rendered when the task runs."""
        dag_id = self.dag_stack[-1].dag_id if self.dag_stack else ""
        return f"{{{{ task_instance.xcom_pull(task_ids='{ref.task_id}', dag_id='{dag_id}', key='{ref.key}') }}}}"

    def eval_FormattedString(self, node, scope):
        out = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                # f-string text keeps doubled braces; Python collapses them at run time
                out.append(text.replace("{{", "{").replace("}}", "}"))
                continue
            value = self.eval(part.expression, scope)
            if is_unknown(value):
                return Opaque(self.code(node), f"f-string part {self.code(part.expression)} is not static")
            spec = ""
            if part.format_spec:
                spec_parts = []
                for sp in part.format_spec:
                    if isinstance(sp, cst.FormattedStringText):
                        spec_parts.append(sp.value)
                    else:
                        inner = self.eval(sp.expression, scope)
                        if is_unknown(inner):
                            return Opaque(self.code(node), "f-string format spec is not static")
                        spec_parts.append(str(inner))
                spec = "".join(spec_parts)
            if isinstance(value, TaskRef) and part.conversion in (None, "s"):
                value = self.xcom_template(value)
            if part.conversion == "r":
                value = repr(value)
            elif part.conversion == "a":
                value = ascii(value)
            elif part.conversion == "s":
                value = str(value)
            try:
                out.append(format(value, spec))
            except (ValueError, TypeError):
                return Opaque(self.code(node), "f-string format not understood")
        return "".join(out)

    def eval_Name(self, node, scope):
        name = node.value
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        try:
            return scope.lookup(name)
        except KeyError:
            pass
        qual = self.imports.qualify(name)
        if qual:
            return self.imported(qual)
        if name in _BUILTINS:
            return Builtin(name)
        if name == "__file__":
            return self.path
        if name == "super":
            return BoundMethod(scope, "super")
        return Opaque(name, f"name {name!r} is not defined statically")

    def eval_Attribute(self, node, scope):
        attr = node.attr.value
        base = self.eval(node.value, scope)
        if isinstance(base, Imported):
            if names.is_airflow(base.qualname) and base.name in _STR_ENUMS:
                return attr.lower()
            if attr == "partial" and base.name[:1].isupper():  # Operator.partial(...).expand(...)
                return BoundMethod(base, attr)
            return Imported(f"{base.qualname}.{attr}")
        if isinstance(base, ModuleRef):
            return self.module_attribute(base, attr)
        if isinstance(base, PathValue):
            return base.attribute(attr, self.code(node))
        if isinstance(base, SuperCall) and attr == "__init__":
            return BoundMethod(base, attr)
        if isinstance(base, FileValue) and attr in ("read", "readlines"):
            return BoundMethod(base, attr)
        if isinstance(base, TaskRef):
            if attr == "output":
                return TaskRef(base.task_id)
            if attr == "task_id":  # e.g. ExternalTaskSensor(external_task_id=other_dag_task.task_id)
                return base.task_id
            return BoundMethod(base, attr)
        if isinstance(base, (TaskFlowDef, GroupDef, Override, LocalClass)):
            return BoundMethod(base, attr)
        if isinstance(base, GroupRef):
            return BoundMethod(base, attr)
        if isinstance(base, ContextDag):
            if attr == "dag_id":
                return base.dag_id
            return BoundMethod(base, attr)
        if isinstance(base, (dict, list, str)) and attr in CONTAINER_METHODS:
            return BoundMethod(base, attr)
        if isinstance(base, Duration) and attr == "total_seconds":
            return BoundMethod(base, attr)
        if isinstance(base, Opaque) and base.reason:
            return Opaque(self.code(node), base.reason)
        return Opaque(self.code(node), f"attribute {attr!r} is not evaluated statically")

    def eval_Subscript(self, node, scope):
        base = self.eval(node.value, scope)
        if isinstance(base, Opaque) and base.reason:  # keep saying why (an unset variable, a missing file)
            return Opaque(self.code(node), base.reason)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice) and isinstance(base, (list, tuple, str)):
                sl = node.slice[0].slice
                bounds = [self.eval(x, scope) if x is not None else None for x in (sl.lower, sl.upper, sl.step)]
                if all(b is None or isinstance(b, int) for b in bounds):
                    return base[slice(*bounds)]
            return Opaque(self.code(node), "subscript not evaluated statically")
        key = self.eval(node.slice[0].slice.value, scope)
        if isinstance(base, Imported) and base.qualname == "os.environ":
            return self.environment(key, node)
        if isinstance(base, TaskRef) and isinstance(key, str):
            return TaskRef(base.task_id, key)
        if isinstance(base, (dict, list, tuple, str)) and not is_unknown(key):
            try:
                return base[key]
            except (KeyError, IndexError, TypeError):
                return Opaque(self.code(node), "subscript out of range")
        return Opaque(self.code(node), "subscript not evaluated statically")

    def eval_List(self, node, scope):
        return self._elements(node.elements, scope)

    def eval_Tuple(self, node, scope):
        return tuple(self._elements(node.elements, scope))

    def eval_Set(self, node, scope):
        return self._elements(node.elements, scope)

    def _elements(self, elements, scope) -> list:
        out = []
        for element in elements:
            value = self.eval(element.value, scope)
            if isinstance(element, cst.StarredElement):
                if isinstance(value, (list, tuple, range, dict, str)):
                    out.extend(value)
                else:
                    out.append(Opaque(self.code(element), "starred value not static"))
            else:
                out.append(value)
        return out

    def eval_Dict(self, node, scope):
        out = {}
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                value = self.eval(element.value, scope)
                if isinstance(value, dict):
                    out.update(value)
                else:
                    out[f"**{self.code(element.value)}"] = Opaque(self.code(element.value))
                continue
            key = self.eval(element.key, scope)
            if is_unknown(key) or isinstance(key, (list, dict)):
                key = Opaque(self.code(element.key))
            out[key] = self.eval(element.value, scope)
        return out

    def eval_UnaryOperation(self, node, scope):
        value = self.eval(node.expression, scope)
        if is_unknown(value):
            return Opaque(self.code(node))
        op = type(node.operator).__name__
        try:
            if op == "Minus":
                return -value
            if op == "Plus":
                return +value
            if op == "Not":
                return not value
            if op == "BitInvert":
                return ~value
        except TypeError:
            pass
        return Opaque(self.code(node))

    def eval_BooleanOperation(self, node, scope):
        left = self.eval(node.left, scope)
        if is_unknown(left):
            return Opaque(self.code(node))
        if isinstance(node.operator, cst.And):
            return self.eval(node.right, scope) if left else left
        return left if left else self.eval(node.right, scope)

    def eval_Comparison(self, node, scope):
        left = self.eval(node.left, scope)
        for target in node.comparisons:
            right = self.eval(target.comparator, scope)
            if is_unknown(left) or is_unknown(right):
                return Opaque(self.code(node))
            op = type(target.operator).__name__
            try:
                ok = {
                    "Equal": lambda a, b: a == b, "NotEqual": lambda a, b: a != b,
                    "LessThan": lambda a, b: a < b, "LessThanEqual": lambda a, b: a <= b,
                    "GreaterThan": lambda a, b: a > b, "GreaterThanEqual": lambda a, b: a >= b,
                    "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b,
                    "Is": lambda a, b: a is b, "IsNot": lambda a, b: a is not b,
                }[op](left, right)
            except (TypeError, KeyError):
                return Opaque(self.code(node))
            if not ok:
                return False
            left = right
        return True

    def eval_IfExp(self, node, scope):
        test = self.eval(node.test, scope)
        if is_unknown(test):
            return Opaque(self.code(node))
        return self.eval(node.body if test else node.orelse, scope)

    def eval_BinaryOperation(self, node, scope):
        op = node.operator
        if isinstance(op, (cst.RightShift, cst.LeftShift)):
            left = self.eval(node.left, scope)
            right = self.eval(node.right, scope)
            if isinstance(left, (int, bool)) and isinstance(right, int):
                return left >> right if isinstance(op, cst.RightShift) else left << right
            # an edge Label passes through: `a >> Label("x") >> b` links a to b
            if isinstance(left, Labelled):
                left = left.tasks
            if isinstance(right, LabelValue):
                return Labelled(left)
            if isinstance(op, cst.RightShift):
                self.link(left, right, node)
            else:
                self.link(right, left, node)
            return right
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binary(op, left, right, node)

    def binary(self, op, left, right, node):
        if isinstance(left, PathValue) and isinstance(right, (str, PathValue)) and type(op).__name__ == "Divide":
            return PathValue(posixpath.join(left.path, right.path if isinstance(right, PathValue) else right))
        if is_unknown(left) or is_unknown(right):
            return Opaque(self.code(node))
        if isinstance(left, Duration) or isinstance(right, Duration):
            return duration_arith(op, left, right) or Opaque(self.code(node))
        try:
            name = type(op).__name__
            if name in ("Add", "AddAssign"):
                return left + right
            if name in ("Subtract", "SubtractAssign"):
                return left - right
            if name in ("Multiply", "MultiplyAssign"):
                if isinstance(left, (list, str)) and isinstance(right, int) and len(left) * right > 1_000_000:
                    return Opaque(self.code(node), "too large")
                return left * right
            if name in ("Divide", "DivideAssign"):
                return left / right
            if name in ("FloorDivide", "FloorDivideAssign"):
                return left // right
            if name in ("Modulo", "ModuloAssign"):
                return left % right
            if name in ("Power", "PowerAssign"):
                if isinstance(right, int) and right > 64:
                    return Opaque(self.code(node), "too large")
                return left ** right
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            pass
        return Opaque(self.code(node))

    def eval_ListComp(self, node, scope):
        return self._comprehension(node, scope, lambda s: self.eval(node.elt, s), list)

    def eval_GeneratorExp(self, node, scope):
        return self._comprehension(node, scope, lambda s: self.eval(node.elt, s), list)

    def eval_SetComp(self, node, scope):
        return self._comprehension(node, scope, lambda s: self.eval(node.elt, s), list)

    def eval_DictComp(self, node, scope):
        pairs = self._comprehension(node, scope, lambda s: (self.eval(node.key, s), self.eval(node.value, s)), list)
        if isinstance(pairs, Opaque):
            return pairs
        return {k: v for k, v in pairs if not isinstance(k, (list, dict))}

    def _comprehension(self, node, scope, element, kind):
        results: List[Any] = []
        inner = Scope(scope)

        def walk(clause: Optional[cst.CompFor]) -> None:
            if clause is None:
                results.append(element(inner))
                return
            iterable = self.eval(clause.iter, inner)
            for item in self.iterate(iterable, clause.iter):
                self.bind(clause.target, item, inner, clause)
                if all(self._truthy(cond.test, inner) for cond in clause.ifs):
                    walk(clause.inner_for_in)

        try:
            walk(node.for_in)
        except StaticError as err:
            if self.dag_stack:
                raise StaticError("KFM112", f"comprehension over a value that cannot be resolved statically: {self.code(node)}", node) from err
            return Opaque(self.code(node), err.message)
        return kind(results)

    def _truthy(self, test, scope) -> bool:
        value = self.eval(test, scope)
        if is_unknown(value):
            raise StaticError("KFM112", f"comprehension condition is not static: {self.code(test)}", test)
        return bool(value)

    def eval_Lambda(self, node, scope):
        return LambdaValue(node, self.code(node), tuple(scope.enclosing_sources().items()))

    def eval_NamedExpr(self, node, scope):
        value = self.eval(node.value, scope)
        self.bind(node.target, value, scope, node)
        return value

    # ---- call expressions (what the call does: Calls.apply)
    def eval_args(self, args: Sequence[cst.Arg], scope: Scope) -> Tuple[List[Any], Dict[str, Any]]:
        positional: List[Any] = []
        keywords: Dict[str, Any] = {}
        for arg in args:
            value = self.eval(arg.value, scope)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = value
            elif arg.star == "*":
                if isinstance(value, (list, tuple, range)):
                    positional.extend(value)
                else:
                    raise StaticError("KFM110", f"*args not static: {self.code(arg.value)}", arg)
            elif arg.star == "**":
                if isinstance(value, dict):
                    keywords.update({str(k): v for k, v in value.items()})
                else:
                    raise StaticError("KFM110", f"**kwargs not static: {self.code(arg.value)}", arg)
            else:
                positional.append(value)
        return positional, keywords

    def eval_kwargs(self, args: Sequence[cst.Arg], scope: Scope) -> Dict[str, Any]:
        positional, keywords = self.eval_args(args, scope)
        if positional:
            keywords["__positional__"] = positional
        return keywords

    def eval_Call(self, node: cst.Call, scope: Scope) -> Any:
        callee = self.eval(node.func, scope)
        args, kwargs = self.eval_args(node.args, scope)
        return self.apply(callee, args, kwargs, node, scope)


_STR_ENUMS = {"TriggerRule", "WeightRule", "DagRunState", "TaskInstanceState", "State"}


class Builtin:
    def __init__(self, name: str):
        self.name = name

    def call(self, interp: Any, args, kwargs, node):
        if self.name == "open":
            return interp.open_file(args, kwargs, node)
        if any(is_unknown(a) for a in args):
            return Opaque(interp.code(node))
        try:
            if self.name == "range":
                r = range(*args)
                if len(r) > MAX_UNROLL:
                    return Opaque(interp.code(node), "range too large")
                return list(r)
            if self.name == "enumerate":
                return list(enumerate(*args, **kwargs))
            if self.name == "zip":
                return [tuple(x) for x in zip(*args)]
            if self.name in ("list", "tuple", "sorted", "reversed", "set"):
                return list({"list": list, "tuple": tuple, "sorted": sorted, "reversed": reversed, "set": lambda x: list(dict.fromkeys(x))}[self.name](*args, **kwargs))
            if self.name == "dict":
                return dict(*args, **kwargs)
            if self.name == "str" and len(args) == 1 and isinstance(args[0], PathValue):
                return args[0].path
            if self.name == "str" and len(args) == 1 and isinstance(args[0], TaskRef):
                return interp.xcom_template(args[0])
            return {"str": str, "int": int, "float": float, "bool": bool, "len": len, "min": min,
                    "max": max, "sum": sum, "abs": abs, "round": round}[self.name](*args, **kwargs)
        except Exception:  # noqa: BLE001 - the same call would fail at import time; unknown here
            return Opaque(interp.code(node), f"{self.name}() not evaluated")


_BUILTINS = {"range", "enumerate", "zip", "list", "tuple", "sorted", "reversed", "set", "dict", "str",
             "int", "float", "bool", "len", "min", "max", "sum", "abs", "round", "open"}
