using System.Text.Json.Nodes;

namespace AgentHost.Plugins.Lsp.Protocol;

/// <summary>What the bridge tells servers it supports in <c>initialize</c>.</summary>
internal static class ClientCapabilities
{
    public static JsonObject Create() => new()
    {
        ["general"] = new JsonObject { ["positionEncodings"] = new JsonArray("utf-16", "utf-8", "utf-32") },
        ["window"] = new JsonObject { ["workDoneProgress"] = true },
        ["workspace"] = new JsonObject
        {
            ["configuration"] = true,
            ["workspaceFolders"] = true,
            ["applyEdit"] = false,
            ["workspaceEdit"] = new JsonObject { ["documentChanges"] = true },
            ["symbol"] = new JsonObject { ["dynamicRegistration"] = false },
            ["didChangeConfiguration"] = new JsonObject { ["dynamicRegistration"] = false },
        },
        ["textDocument"] = new JsonObject
        {
            ["synchronization"] = new JsonObject { ["dynamicRegistration"] = false, ["didSave"] = true, ["willSave"] = false },
            ["publishDiagnostics"] = new JsonObject { ["relatedInformation"] = false, ["versionSupport"] = true },
            ["diagnostic"] = new JsonObject { ["dynamicRegistration"] = false, ["relatedDocumentSupport"] = false },
            ["definition"] = new JsonObject { ["linkSupport"] = true },
            ["references"] = new JsonObject(),
            ["hover"] = new JsonObject { ["contentFormat"] = new JsonArray("markdown", "plaintext") },
            ["documentSymbol"] = new JsonObject { ["hierarchicalDocumentSymbolSupport"] = true },
            ["rename"] = new JsonObject { ["prepareSupport"] = false },
        },
    };
}
