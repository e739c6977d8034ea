"""The ``[keymap]`` table of the user's config file, which remaps keys.

Pure Python (no Textual), so the CLI can report a bad file before the app starts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from annotate.labelling.config import Config, ConfigError


def load_keymap(
    config: Config,
    known_ids: Collection[str] = (),
    screens: Sequence[Mapping[str, str]] = (),
    is_key: Callable[[str], bool] | None = None,
    must_reach: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The ``[keymap]`` table of the config file (as ``read_config`` read it): binding
    id -> key(s), comma separated.

    Unknown binding ids are refused when ``known_ids`` is given, so a typo does not
    silently leave the old key in place. ``screens`` holds each screen's default keys
    (binding id -> keys): see ``check_keymap``. ``is_key`` tells a real key name from
    anything else (``"notakey!!"``); ``must_reach`` maps binding ids that must keep a key
    after the remap (every label) to their default keys.
    """
    path = config.path
    table = config.data.get("keymap", {})
    if not isinstance(table, dict):
        raise ConfigError(f'{path}: [keymap] must be a table of binding id = "key"')
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"{path}: keymap {binding_id!r} must be a key name in quotes")
        if known_ids and binding_id not in known_ids:
            raise ConfigError(
                f"{path}: unknown binding id {binding_id!r} in [keymap]; "
                f"known ids: {', '.join(sorted(known_ids))}"
            )
        names = [k.strip() for k in keys.split(",")]
        for name in names:
            if is_key is not None and not is_key(name):
                raise ConfigError(
                    f"{path}: {name!r} (for {binding_id!r} in [keymap]) is not a key name; "
                    "use Textual key names such as 'a', 'F', 'ctrl+s', 'f5', 'space', "
                    "'question_mark'"
                )
        keymap[binding_id] = ",".join(names)
    check_keymap(keymap, screens, path)
    check_reachable(keymap, must_reach or {}, path)
    return keymap


def check_reachable(keymap: Mapping[str, str], defaults: Mapping[str, str], path: Path) -> None:
    """Refuse a keymap that leaves one of ``defaults``' bindings (the labels) without a
    key: its key went to another binding and it was given none of its own."""
    if not defaults:
        return
    effective = keys_in_effect(keymap, defaults)
    for binding_id in defaults:
        if not any(effective[binding_id].split(",")):
            taken = ", ".join(repr(k) for k in defaults[binding_id].split(",") if k)
            raise ConfigError(
                f"{path}: {binding_id!r} has no key left in [keymap] (its key {taken} "
                f"was given to another binding); give it a key of its own"
            )


def check_keymap(
    keymap: Mapping[str, str], screens: Sequence[Mapping[str, str]], path: Path
) -> None:
    """Refuse two binding ids of one screen mapped to the same key (one of them would be
    dead), naming the file, the key and both ids."""
    for defaults in screens:
        taken: dict[str, str] = {}  # key -> the binding id the user gave it
        for binding_id, keys in keymap.items():
            if binding_id not in defaults:
                continue
            for key in keys.split(","):
                other = taken.setdefault(key, binding_id)
                if other != binding_id:
                    raise ConfigError(
                        f"{path}: key {key!r} is mapped to both {other!r} and "
                        f"{binding_id!r} in [keymap]"
                    )


def keys_in_effect(keymap: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """Every binding id of one screen -> its keys after the user's ``keymap`` ("" for none).

    A key the user gives to one binding is taken from the default binding that had it
    (as Textual does when it applies the keymap), so ``"label.unattributed" = "s"``
    leaves accepting a suggestion on ``enter`` alone.
    """
    taken = {k for i, keys in keymap.items() if i in defaults for k in keys.split(",")}
    effective = {}
    for binding_id, keys in defaults.items():
        if binding_id in keymap:
            effective[binding_id] = keymap[binding_id]
        else:
            effective[binding_id] = ",".join(k for k in keys.split(",") if k not in taken)
    return effective
