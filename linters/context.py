"""What a rule may read besides the page: the registry, the config, the mode and today's date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .model import Document, Finding, Sentence, span_position

if TYPE_CHECKING:  # loading the registry code imports YAML and JSON Schema libraries a cached run does not need
    from .registry.load import Registry


@dataclass
class Context:
    registry: Registry
    config: Config
    mode: str = "preview"
    today: date = field(default_factory=date.today)
    root: Path = Path(".")
    extra: dict[str, Any] = field(default_factory=dict)

    def severity(self, rule_id: str, default: str) -> str:
        settings = self.config.rules.get(rule_id)
        if settings and settings.severity:
            return settings.severity
        return default

    def at_sentence(
        self,
        rule,
        doc: Document,
        sentence: Sentence,
        message: str,
        start: int = 0,
        end: int | None = None,
        **extra: Any,
    ) -> Finding:
        """A finding on `sentence.text[start:end]`, placed at its exact source position."""
        end = len(sentence.text) if end is None else end
        line, col, end_line, end_col = span_position(doc, sentence, start, end)
        return Finding(
            rule=rule.id,
            severity=self.severity(rule.id, rule.severity_for(self.mode)),
            path=doc.path,
            line=line,
            column=col,
            end_line=end_line,
            end_column=end_col,
            message=message,
            excerpt=sentence.text[start:end] if (start or end != len(sentence.text)) else sentence.text,
            **extra,
        )

    def at_line(self, rule, path: str, line: int, column: int, message: str, excerpt: str = "", **extra: Any) -> Finding:
        return Finding(
            rule=rule.id,
            severity=self.severity(rule.id, rule.severity_for(self.mode)),
            path=path,
            line=line,
            column=column,
            message=message,
            excerpt=excerpt,
            **extra,
        )
