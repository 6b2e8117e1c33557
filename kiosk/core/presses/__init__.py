"""From button edges to presses and holds, and entering a pain rating with three buttons."""
