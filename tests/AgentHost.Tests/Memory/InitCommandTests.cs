using System.Diagnostics;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Memory;

/// <summary>`agent init` on real git repositories: languages, commands, CI, conventions; never overwrites without --force.</summary>
public sealed class InitCommandTests
{
    [Fact]
    public async Task Init_OnARepoWithASolutionAndPackageJson_WritesTheirCommands()
    {
        using var temp = new TempDirectory();
        var repo = CreateRepository(temp);

        var result = await CliRunner.RunAsync(TestEnvironment.Create(temp.Path, repo), "init");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains($"wrote {Path.Combine(repo, "AGENTS.md")}", result.Output, StringComparison.Ordinal);
        var agents = File.ReadAllText(Path.Combine(repo, "AGENTS.md"));
        Assert.Contains("shop: A small shop with a .NET API and a web front end.", agents, StringComparison.Ordinal);
        Assert.Contains("Languages: C# (2 files), TypeScript (1 file).", agents, StringComparison.Ordinal);
        Assert.Contains("Build:\n\n- `dotnet build Shop.sln` (Shop.sln)\n- `npm run build` (package.json)\n", agents, StringComparison.Ordinal);
        Assert.Contains("Test:\n\n- `dotnet test Shop.sln` (Shop.sln)\n- `npm test` (package.json)\n- `make test` (Makefile)\n", agents, StringComparison.Ordinal);
        Assert.Contains("- `npm run lint` (package.json)", agents, StringComparison.Ordinal);
        Assert.Contains("- `npm run dev` (package.json)", agents, StringComparison.Ordinal);
        Assert.Contains("CI runs (.github/workflows/ci.yml):\n\n- `dotnet restore`\n- `dotnet test --no-restore`\n- `npm ci`\n", agents, StringComparison.Ordinal);
        Assert.Contains("- `src/`: 2 files", agents, StringComparison.Ordinal);
        Assert.Contains("Formatting follows .editorconfig (indent_style = space, indent_size = 4).", agents, StringComparison.Ordinal);
        Assert.Contains("Compiler warnings are errors", agents, StringComparison.Ordinal);
        Assert.Contains("nullable reference types are enabled", agents, StringComparison.Ordinal);
        Assert.DoesNotContain("Python", agents, StringComparison.Ordinal);
        Assert.DoesNotContain("generated/", agents, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', agents);
    }

    [Fact]
    public async Task Init_UsesPnpmCommands_WhenThePnpmLockfileIsPresent()
    {
        using var temp = new TempDirectory();
        var repo = CreateRepository(temp);
        File.WriteAllText(Path.Combine(repo, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");

        var result = await CliRunner.RunAsync(TestEnvironment.Create(temp.Path, repo), "init", "--print");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("- `pnpm test` (package.json)", result.Output, StringComparison.Ordinal);
        Assert.Contains("- `pnpm run build` (package.json)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_RefusesToOverwrite_ForceReplaces_PrintWritesNothing()
    {
        using var temp = new TempDirectory();
        var repo = CreateRepository(temp);
        var agents = Path.Combine(repo, "AGENTS.md");
        File.WriteAllText(agents, "my own notes");
        var environment = TestEnvironment.Create(temp.Path, repo);

        var refused = await CliRunner.RunAsync(environment, "init");
        var printed = await CliRunner.RunAsync(environment, "init", "--print");
        var unchanged = File.ReadAllText(agents);
        var forced = await CliRunner.RunAsync(environment, "init", "--force");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains($"{agents} already exists", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Pass --force to replace it", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, printed.ExitCode);
        Assert.StartsWith("# AGENTS.md\n", printed.Output, StringComparison.Ordinal);
        Assert.Equal("my own notes", unchanged);
        Assert.Equal(ExitCodes.Success, forced.ExitCode);
        Assert.Equal(printed.Output, File.ReadAllText(agents));
    }

    [Fact]
    public async Task Init_InAFolderWithoutBuildFiles_SaysSo()
    {
        using var temp = new TempDirectory();
        var folder = temp.Combine("notes");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "todo.txt"), "buy milk");

        var result = await CliRunner.RunAsync(TestEnvironment.Create(temp.Path, folder), "init", "--print");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No build or test commands were found.", result.Output, StringComparison.Ordinal);
        Assert.Contains("not a git repository", result.Output, StringComparison.Ordinal);
    }

    private static string CreateRepository(TempDirectory temp)
    {
        var repo = temp.Combine("shop");
        temp.WriteFile("shop/README.md", "# Shop\n\n[![build](https://example.com/badge.svg)](https://example.com)\n\nA small shop with a .NET API\nand a web front end.\n\n## Building\n\nSee below.\n");
        temp.WriteFile("shop/Shop.sln", "Microsoft Visual Studio Solution File, Format Version 12.00\n");
        temp.WriteFile("shop/src/Shop.Api/Shop.Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><Nullable>enable</Nullable></PropertyGroup></Project>\n");
        temp.WriteFile("shop/src/Shop.Api/Program.cs", "Console.WriteLine(1);\n");
        temp.WriteFile("shop/tests/Shop.Tests/ShopTests.cs", "public class ShopTests {}\n");
        temp.WriteFile("shop/Directory.Build.props", "<Project><PropertyGroup><TreatWarningsAsErrors>true</TreatWarningsAsErrors></PropertyGroup></Project>\n");
        temp.WriteFile("shop/web/main.ts", "export {};\n");
        temp.WriteFile("shop/package.json", """{ "name": "shop-web", "scripts": { "build": "tsc", "test": "vitest", "lint": "eslint .", "dev": "vite" } }""");
        temp.WriteFile("shop/Makefile", "VERSION := 1\n.PHONY: test\ntest:\n\tdotnet test\n");
        temp.WriteFile("shop/.editorconfig", "root = true\n\n[*]\nindent_style = space\nindent_size = 4\n\n[*.md]\ntrim_trailing_whitespace = false\n");
        temp.WriteFile("shop/.github/workflows/ci.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: dotnet restore\n      - name: Test\n        run: |\n          dotnet test --no-restore\n          npm ci\n        shell: bash\n");
        temp.WriteFile("shop/.gitignore", "generated/\n");
        temp.WriteFile("shop/generated/tool.py", "print('ignored')\n");
        Git(repo, "init", "-q", "-b", "main");
        return repo;
    }

    private static void Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = Path.Combine(Path.GetTempPath(), "agenthost-tests", "no-global-gitconfig");
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }
}
