using AgentHost.Tests.Lsp;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>The real typescript-language-server on a small project: navigation, symbols, rename, type errors.</summary>
public sealed class TypeScriptServerTests
{
    private static async Task<LspHarness> ProjectAsync()
    {
        var lsp = await LspHarness.StartAsync(null, "typescript");
        lsp.Write("tsconfig.json", """{ "compilerOptions": { "strict": true, "target": "ES2020", "module": "commonjs" }, "include": ["src"] }""");
        lsp.Write("src/math.ts", "// 😀 units\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n");
        lsp.Write("src/app.ts", "import { add } from './math';\n\nconst total = add(1, 2);\nexport const twice = add(total, total);\n");

        // tsserver answers before it has loaded the whole project; its first diagnostics mean the project is loaded.
        await lsp.RunAsync("lsp_diagnostics", ("path", "src/math.ts"));
        await lsp.RunAsync("lsp_diagnostics", ("path", "src/app.ts"));
        return lsp;
    }

    [LspFact]
    public async Task Definition_OfASymbolName_FindsTheDeclarationInTheOtherFile()
    {
        await using var lsp = await ProjectAsync();

        var result = await lsp.RunAsync("lsp_definition", ("path", "src/app.ts"), ("line", 3), ("symbol", "add"));

        Assert.Contains("src/math.ts:2:17: export function add(a: number, b: number): number {", result, StringComparison.Ordinal);
    }

    [LspFact]
    public async Task References_ListEveryUse_AndHoverShowsTheType()
    {
        await using var lsp = await ProjectAsync();

        var references = await lsp.RunAsync("lsp_references", ("path", "src/math.ts"), ("symbol", "add"));
        var hover = await lsp.RunAsync("lsp_hover", ("path", "src/app.ts"), ("line", 3), ("column", 7));

        Assert.Contains("src/app.ts:3:15", references, StringComparison.Ordinal);
        Assert.Contains("src/app.ts:4:22", references, StringComparison.Ordinal);
        Assert.Contains("src/math.ts:2:17", references, StringComparison.Ordinal);
        Assert.Contains("const total: number", hover, StringComparison.Ordinal);
    }

    [LspFact]
    public async Task Symbols_ShowTheOutline_AndFindProjectSymbols()
    {
        await using var lsp = await ProjectAsync();

        var outline = await lsp.RunAsync("lsp_symbols", ("path", "src/app.ts"));
        var project = await lsp.RunAsync("lsp_symbols", ("path", "src/app.ts"), ("query", "twice"));

        Assert.Contains("constant total (3:7)", outline, StringComparison.Ordinal);
        Assert.Contains("twice", project, StringComparison.Ordinal);
        Assert.Contains("src/app.ts:4", project, StringComparison.Ordinal);
    }

    [LspFact]
    public async Task Rename_DryRunPreviews_ThenAppliesAcrossFiles()
    {
        await using var lsp = await ProjectAsync();

        var preview = await lsp.RunAsync("lsp_rename", ("path", "src/math.ts"), ("symbol", "add"), ("new_name", "sum"), ("dry_run", true));
        var unchanged = File.ReadAllText(lsp.Temp.Combine("ws", "src", "app.ts"));
        var applied = await lsp.RunAsync("lsp_rename", ("path", "src/math.ts"), ("symbol", "add"), ("new_name", "sum"));

        Assert.Contains("Would rename", preview, StringComparison.Ordinal);
        Assert.Contains("in 2 files", preview, StringComparison.Ordinal);
        Assert.Contains("add(1, 2)", unchanged, StringComparison.Ordinal);
        Assert.StartsWith("Renamed", applied, StringComparison.Ordinal);
        Assert.Contains("const total = sum(1, 2);", File.ReadAllText(lsp.Temp.Combine("ws", "src", "app.ts")), StringComparison.Ordinal);
        Assert.Contains("export function sum(", File.ReadAllText(lsp.Temp.Combine("ws", "src", "math.ts")), StringComparison.Ordinal);
    }

    [LspFact]
    public async Task Write_WithATypeError_AppendsIt_AtACharacterColumnAfterAnEmoji()
    {
        await using var lsp = await ProjectAsync();

        var result = await lsp.RunAsync("write", ("path", "src/bad.ts"), ("content", "const s = '😀'; const n: number = s;\n"));

        // Column 22 in characters; the server counts 23 UTF-16 units, since the emoji before it is a surrogate pair.
        Assert.Matches(@"error src/bad.ts:1:22 Type 'string' is not assignable to type 'number'\.", result);
    }

    [LspFact]
    public async Task Write_WithATypeError_OnAColdServer_ReportsIt_NotTheEmptySyntaxPass()
    {
        // No warm-up: the write opens the file on a server that has not loaded the project yet. The server publishes its
        // syntax diagnostics (empty) before the type check's; only the type check's answer may be reported.
        await using var lsp = await LspHarness.StartAsync(null, "typescript");
        lsp.Write("tsconfig.json", """{ "compilerOptions": { "strict": true, "target": "ES2020", "module": "commonjs" }, "include": ["src"] }""");
        lsp.Write("src/math.ts", "export function add(a: number, b: number): number {\n  return a + b;\n}\n");

        var result = await lsp.RunAsync("write", ("path", "src/bad.ts"), ("content", "import { add } from './math';\nexport const n: number = add(1, '2');\n"));

        Assert.Contains("LSP (typescript): 1 error, 0 warnings in src/bad.ts", result, StringComparison.Ordinal);
        Assert.Contains("error src/bad.ts:2:33 Argument of type 'string' is not assignable to parameter of type 'number'.", result, StringComparison.Ordinal);
    }
}
