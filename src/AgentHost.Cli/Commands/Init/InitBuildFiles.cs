using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentHost.Cli.Commands.Init;

/// <summary>
/// Finds build, test and lint commands in a repository's root build files (solutions and projects, package.json,
/// Cargo.toml, go.mod, pyproject.toml, Makefile, justfile, .ci/run) and the commands its GitHub workflows run.
/// </summary>
internal static partial class InitBuildFiles
{
    private static readonly string[] BuildNames = ["build", "compile", "all"];
    private static readonly string[] TestNames = ["test", "tests", "check", "ci"];
    private static readonly string[] LintNames = ["lint", "format", "fmt", "typecheck", "vet", "style"];
    private static readonly string[] Makefiles = ["Makefile", "makefile", "GNUmakefile"];
    private static readonly string[] Justfiles = ["justfile", "Justfile", ".justfile"];

    public static void Collect(string root, IReadOnlyList<string> files, List<InitFoundCommand> commands)
    {
        var top = files.Where(f => !f.Contains('/', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        DotNet(files, top, commands);
        Node(root, top, commands);
        if (top.Contains("Cargo.toml"))
        {
            Add(commands, "Cargo.toml", (InitCommandKind.Build, "cargo build"), (InitCommandKind.Test, "cargo test"), (InitCommandKind.Lint, "cargo clippy"));
        }

        if (top.Contains("go.mod"))
        {
            Add(commands, "go.mod", (InitCommandKind.Build, "go build ./..."), (InitCommandKind.Test, "go test ./..."), (InitCommandKind.Lint, "go vet ./..."));
        }

        Python(root, files, top, commands);
        foreach (var makefile in Makefiles.Where(top.Contains))
        {
            Targets(commands, makefile, "make", Read(root, makefile), MakeTarget());
        }

        foreach (var justfile in Justfiles.Where(top.Contains))
        {
            Targets(commands, justfile, "just", Read(root, justfile), JustRecipe());
        }

        if (files.Contains(".ci/run"))
        {
            commands.Add(new InitFoundCommand(InitCommandKind.Test, ".ci/run", "the CI entry point"));
        }
    }

    /// <summary>The <c>run:</c> commands of each workflow under <c>.github/workflows</c>, in file order, at most 15 per workflow.</summary>
    public static IReadOnlyList<(string Workflow, IReadOnlyList<string> Commands)> Workflows(string root, IReadOnlyList<string> files)
    {
        var workflows = new List<(string, IReadOnlyList<string>)>();
        foreach (var file in files.Where(f => f.StartsWith(".github/workflows/", StringComparison.Ordinal) && (f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))))
        {
            var lines = Read(root, file)?.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n') ?? [];
            var runs = new List<string>();
            for (var i = 0; i < lines.Length; i++)
            {
                var match = RunKey().Match(lines[i]);
                if (!match.Success)
                {
                    continue;
                }

                var value = match.Groups["value"].Value.Trim();
                if (value.Length > 0 && value[0] is '|' or '>')
                {
                    var indent = lines[i].IndexOf("run:", StringComparison.Ordinal);
                    for (var j = i + 1; j < lines.Length && (lines[j].Trim().Length == 0 || Indent(lines[j]) > indent); j++)
                    {
                        AddRun(runs, lines[j]);
                    }
                }
                else
                {
                    AddRun(runs, value.Trim('"', '\''));
                }
            }

            if (runs.Count > 0)
            {
                workflows.Add((file, runs.Distinct(StringComparer.Ordinal).Take(15).ToList()));
            }
        }

        return workflows;
    }

    private static void AddRun(List<string> runs, string line)
    {
        var command = line.Trim();
        if (command.Length > 0 && !command.StartsWith('#'))
        {
            runs.Add(command.Length <= 160 ? command : command[..157] + "…");
        }
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static void DotNet(IReadOnlyList<string> files, HashSet<string> top, List<InitFoundCommand> commands)
    {
        var solutions = top.Where(f => f.EndsWith(".sln", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".slnx", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        if (solutions.Count > 0)
        {
            Add(commands, solutions[0], (InitCommandKind.Build, "dotnet build " + solutions[0]), (InitCommandKind.Test, "dotnet test " + solutions[0]));
            return;
        }

        var projects = files.Where(f => f.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase)).ToList();
        if (projects.Count == 0)
        {
            return;
        }

        var tests = projects.Where(p => Path.GetFileName(p).Contains("Test", StringComparison.OrdinalIgnoreCase)).ToList();
        var main = projects.Except(tests).FirstOrDefault() ?? projects[0];
        commands.Add(new InitFoundCommand(InitCommandKind.Build, "dotnet build " + main, main));
        foreach (var test in tests.Take(5))
        {
            commands.Add(new InitFoundCommand(InitCommandKind.Test, "dotnet test " + test, test));
        }
    }

    private static void Node(string root, HashSet<string> top, List<InitFoundCommand> commands)
    {
        if (!top.Contains("package.json") || Read(root, "package.json") is not { } json)
        {
            return;
        }

        var manager = top.Contains("pnpm-lock.yaml") ? "pnpm" : top.Contains("yarn.lock") ? "yarn" : top.Contains("bun.lockb") || top.Contains("bun.lock") ? "bun" : "npm";
        List<string> scripts;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            scripts = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("scripts", out var section) && section.ValueKind == JsonValueKind.Object
                ? [.. section.EnumerateObject().Select(p => p.Name)]
                : [];
        }
        catch (JsonException)
        {
            return;
        }

        var others = 0;
        foreach (var script in scripts)
        {
            var kind = KindOf(script);
            if (kind == InitCommandKind.Other && ++others > 10)
            {
                continue;
            }

            var command = script == "test" && manager != "bun" ? manager + " test" : $"{manager} run {script}";
            commands.Add(new InitFoundCommand(kind, command, "package.json"));
        }
    }

    private static void Python(string root, IReadOnlyList<string> files, HashSet<string> top, List<InitFoundCommand> commands)
    {
        var pyproject = top.Contains("pyproject.toml") ? Read(root, "pyproject.toml") ?? string.Empty : string.Empty;
        var source = top.Contains("pyproject.toml") ? "pyproject.toml" : null;
        var prefix = top.Contains("uv.lock") ? "uv run " : top.Contains("poetry.lock") ? "poetry run " : string.Empty;
        var pytest = pyproject.Contains("pytest", StringComparison.Ordinal) || top.Contains("pytest.ini")
            || files.Any(f => f == "conftest.py" || f.EndsWith("/conftest.py", StringComparison.Ordinal));
        if (pytest)
        {
            commands.Add(new InitFoundCommand(InitCommandKind.Test, prefix + "pytest", top.Contains("pytest.ini") ? "pytest.ini" : source ?? "conftest.py"));
        }

        if (top.Contains("tox.ini"))
        {
            commands.Add(new InitFoundCommand(InitCommandKind.Test, "tox", "tox.ini"));
        }

        if (pyproject.Contains("[tool.ruff", StringComparison.Ordinal) || top.Contains("ruff.toml"))
        {
            commands.Add(new InitFoundCommand(InitCommandKind.Lint, prefix + "ruff check .", top.Contains("ruff.toml") ? "ruff.toml" : "pyproject.toml"));
        }

        if (pyproject.Contains("[tool.mypy", StringComparison.Ordinal) || top.Contains("mypy.ini"))
        {
            commands.Add(new InitFoundCommand(InitCommandKind.Lint, prefix + "mypy .", top.Contains("mypy.ini") ? "mypy.ini" : "pyproject.toml"));
        }
    }

    private static void Targets(List<InitFoundCommand> commands, string file, string tool, string? text, Regex pattern)
    {
        if (text is null)
        {
            return;
        }

        var names = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(line => pattern.Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups["name"].Value)
            .Where(name => !name.StartsWith('.'))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var others = 0;
        foreach (var name in names)
        {
            var kind = KindOf(name);
            if (kind == InitCommandKind.Other && ++others > 10)
            {
                continue;
            }

            commands.Add(new InitFoundCommand(kind, $"{tool} {name}", file));
        }
    }

    private static InitCommandKind KindOf(string name)
    {
        var head = name.Split(':', '-', '_')[0].ToLowerInvariant();
        return BuildNames.Contains(head) ? InitCommandKind.Build
            : TestNames.Contains(head) ? InitCommandKind.Test
            : LintNames.Contains(head) ? InitCommandKind.Lint
            : InitCommandKind.Other;
    }

    private static void Add(List<InitFoundCommand> commands, string source, params (InitCommandKind Kind, string Command)[] found)
    {
        foreach (var (kind, command) in found)
        {
            commands.Add(new InitFoundCommand(kind, command, source));
        }
    }

    private static string? Read(string root, string relative)
    {
        try
        {
            var path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
            return new FileInfo(path).Length > 1024 * 1024 ? null : File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(?<indent>\s*)(?:-\s+)?run:\s*(?<value>.*)$")]
    private static partial Regex RunKey();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9][A-Za-z0-9_.-]*)\s*:(?!=)")]
    private static partial Regex MakeTarget();

    [GeneratedRegex(@"^@?(?<name>[A-Za-z0-9][A-Za-z0-9_-]*)(?:\s+[^:=]*)?\s*:(?!=)")]
    private static partial Regex JustRecipe();
}
