using System.Globalization;
using System.Text;

namespace AgentHost.Cli.Commands.Init;

/// <summary>Renders <see cref="InitFacts"/> as a starter <c>AGENTS.md</c> (<c>\n</c> line ends; the same facts give the same text).</summary>
internal static class InitWriter
{
    public static string Write(InitFacts facts)
    {
        var text = new StringBuilder();
        text.Append("# AGENTS.md\n\n");
        text.Append("Instructions for AI coding agents working in this repository. `agent init` wrote this starting point from\n");
        text.Append("the repository's files; edit it: agents read it at the start of every run.\n\n");

        text.Append("## Overview\n\n");
        text.Append(facts.Summary is { } summary ? $"{facts.Name}: {summary}\n" : $"{facts.Name}. (Describe what the project does and who uses it.)\n");
        if (facts.Languages.Count > 0)
        {
            text.Append("\nLanguages: ").Append(string.Join(", ", facts.Languages.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Language} ({l.Files} {Files(l.Files)})")))).Append(".\n");
        }

        if (facts.Folders.Count > 0)
        {
            text.Append("\n## Layout\n\n");
            foreach (var (folder, files) in facts.Folders)
            {
                text.Append(CultureInfo.InvariantCulture, $"- `{folder}/`: {files} {Files(files)}\n");
            }
        }

        text.Append("\n## Commands\n\n");
        if (facts.Commands.Count == 0)
        {
            text.Append("No build or test commands were found. Add how to build, test and lint the project here.\n");
        }

        foreach (var (kind, title) in new[] { (InitCommandKind.Build, "Build"), (InitCommandKind.Test, "Test"), (InitCommandKind.Lint, "Lint and format"), (InitCommandKind.Other, "Other") })
        {
            var commands = facts.Commands.Where(c => c.Kind == kind).ToList();
            if (commands.Count == 0)
            {
                continue;
            }

            text.Append(title).Append(":\n\n");
            foreach (var command in commands)
            {
                text.Append("- `").Append(command.Command).Append("` (").Append(command.Source).Append(")\n");
            }

            text.Append('\n');
        }

        foreach (var (workflow, commands) in facts.Workflows)
        {
            text.Append("CI runs (").Append(workflow).Append("):\n\n");
            foreach (var command in commands)
            {
                text.Append("- `").Append(command.Replace("`", "'", StringComparison.Ordinal)).Append("`\n");
            }

            text.Append('\n');
        }

        text.Append("Run the build and the tests after every change, and fix what fails before you finish.\n");

        text.Append("\n## Conventions\n\n");
        foreach (var convention in facts.Conventions)
        {
            text.Append("- ").Append(convention).Append('\n');
        }

        text.Append("- Follow the style of the surrounding code; keep changes small and focused.\n");
        if (!facts.FromGit)
        {
            text.Append("\n(This folder is not a git repository: every file was inspected, ignored ones included.)\n");
        }

        return text.ToString();
    }

    private static string Files(int count) => count == 1 ? "file" : "files";
}
