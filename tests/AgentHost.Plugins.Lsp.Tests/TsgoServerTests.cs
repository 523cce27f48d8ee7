using AgentHost.Tests.Lsp;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>
/// TypeScript 7's native server (<c>tsgo --lsp --stdio</c>, @typescript/native-preview) as the typescript plugin's server,
/// chosen by configuration that changes only the command and arguments: it offers pull diagnostics, which the bridge uses.
/// </summary>
public sealed class TsgoServerTests
{
    private static readonly Dictionary<string, string> Tsgo = new()
    {
        ["servers.typescript.command"] = "tsgo",
        ["servers.typescript.args.0"] = "--lsp",
        ["servers.typescript.args.1"] = "--stdio",
    };

    [TsgoFact]
    public async Task Write_WithATypeError_OnAColdServer_ReportsIt()
    {
        await using var lsp = await LspHarness.StartAsync(Tsgo, "typescript");
        lsp.Write("tsconfig.json", """{ "compilerOptions": { "strict": true, "target": "ES2020", "module": "commonjs" }, "include": ["src"] }""");
        lsp.Write("src/math.ts", "export function add(a: number, b: number): number {\n  return a + b;\n}\n");

        var result = await lsp.RunAsync("write", ("path", "src/bad.ts"), ("content", "import { add } from './math';\nexport const n: number = add(1, '2');\n"));
        var status = await lsp.RunAsync("lsp_status");

        Assert.Contains("LSP (typescript): 1 error, 0 warnings in src/bad.ts", result, StringComparison.Ordinal);
        Assert.Contains("error src/bad.ts:2:33 Argument of type 'string' is not assignable to parameter of type 'number'.", result, StringComparison.Ordinal);
        Assert.Contains("typescript (typescript+config): running, tsgo --lsp --stdio for .ts", status, StringComparison.Ordinal);
    }

    [TsgoFact]
    public async Task Definition_AndAFixedFile_AfterAnEdit()
    {
        await using var lsp = await LspHarness.StartAsync(Tsgo, "typescript");
        lsp.Write("tsconfig.json", """{ "compilerOptions": { "strict": true, "target": "ES2020", "module": "commonjs" }, "include": ["src"] }""");
        lsp.Write("src/math.ts", "export function add(a: number, b: number): number {\n  return a + b;\n}\n");
        lsp.Write("src/app.ts", "import { add } from './math';\n\nexport const total: string = add(1, 2);\n");

        var broken = await lsp.RunAsync("lsp_diagnostics", ("path", "src/app.ts"));
        var definition = await lsp.RunAsync("lsp_definition", ("path", "src/app.ts"), ("line", 3), ("symbol", "add"));
        var fixedFile = await lsp.RunAsync("write", ("path", "src/app.ts"), ("content", "import { add } from './math';\n\nexport const total: number = add(1, 2);\n"));

        Assert.Contains("error src/app.ts:3:14 Type 'number' is not assignable to type 'string'.", broken, StringComparison.Ordinal);
        Assert.Contains("src/math.ts:1:17: export function add(a: number, b: number): number {", definition, StringComparison.Ordinal);
        Assert.Contains("LSP (typescript): no problems in src/app.ts.", fixedFile, StringComparison.Ordinal);
    }
}
