using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Places Anthropic prompt-cache breakpoints (<c>cache_control: {type: ephemeral}</c>) for an agent loop: after the
/// tool definitions, after the system prompt, and after the last message — three of the four breakpoints the API
/// allows — so each step reads the previous step's prefix from the cache and writes its own.
/// </summary>
/// <remarks>
/// The SDK's <see cref="IChatClient"/> reads breakpoints from <c>AIContent.WithCacheControl</c> (content) and from
/// <c>AdditionalProperties["CacheControl"]</c> (tools). The caller's messages, contents and options are never changed:
/// marked items are copies.
/// </remarks>
internal static class PromptCache
{
    /// <summary>The key the SDK reads a tool's breakpoint from (<c>nameof(Tool.CacheControl)</c>).</summary>
    private const string ToolCacheControlKey = nameof(Tool.CacheControl);

    /// <summary>Returns the messages and options to send, with breakpoints placed.</summary>
    public static (List<ChatMessage> Messages, ChatOptions? Options) Mark(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = messages.ToList();
        if (options is { Instructions.Length: > 0 } || options?.Tools is { Count: > 0 })
        {
            options = options.Clone();
        }

        // Instructions would be appended to the system prompt after our breakpoint; send them as the last system message.
        var leadingSystem = list.TakeWhile(m => m.Role == ChatRole.System).Count();
        if (options is { Instructions.Length: > 0 } withInstructions)
        {
            list.Insert(leadingSystem++, new ChatMessage(ChatRole.System, withInstructions.Instructions));
            withInstructions.Instructions = null;
        }

        if (leadingSystem > 0)
        {
            MarkLastContent(list, leadingSystem - 1);
        }

        if (list.Count > leadingSystem)
        {
            MarkLastContent(list, list.Count - 1);
        }

        if (options?.Tools is { Count: > 0 } tools)
        {
            var last = FindLastIndex(tools, t => t is AIFunctionDeclaration);
            if (last >= 0)
            {
                var marked = tools.ToList();
                marked[last] = new CacheMarkedFunction((AIFunctionDeclaration)tools[last]);
                options.Tools = marked;
            }
        }

        return (list, options);
    }

    private static void MarkLastContent(List<ChatMessage> messages, int index)
    {
        var message = messages[index];
        var contents = message.Contents;
        var last = FindLastIndex(contents, IsCacheable);
        if (last < 0)
        {
            return;
        }

        var copy = message.Clone();
        copy.Contents = [.. contents];
        copy.Contents[last] = WithBreakpoint(contents[last]);
        messages[index] = copy;
    }

    /// <summary>Content the SDK sends as a block that can carry <c>cache_control</c> (empty text blocks cannot).</summary>
    private static bool IsCacheable(AIContent content) => content switch
    {
        TextContent text => !string.IsNullOrWhiteSpace(text.Text),
        FunctionResultContent or FunctionCallContent => true,
        _ => false,
    };

    private static AIContent WithBreakpoint(AIContent content)
    {
        AIContent copy = content switch
        {
            TextContent text => new TextContent(text.Text) { Annotations = text.Annotations },
            FunctionResultContent result => new FunctionResultContent(result.CallId, result.Result) { Exception = result.Exception },
            FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name, call.Arguments)
            {
                Exception = call.Exception,
                InformationalOnly = call.InformationalOnly,
                RawRepresentation = call.RawRepresentation,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(content)),
        };
        copy.AdditionalProperties = content.AdditionalProperties?.Clone();
        return copy.WithCacheControl(new CacheControlEphemeral());
    }

    private static int FindLastIndex<T>(IList<T> items, Func<T, bool> predicate)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (predicate(items[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A tool declaration exactly like the inner one, plus the breakpoint the SDK copies onto its definition.</summary>
    private sealed class CacheMarkedFunction : AIFunctionDeclaration
    {
        private readonly AIFunctionDeclaration _inner;
        private readonly Dictionary<string, object?> _properties;

        public CacheMarkedFunction(AIFunctionDeclaration inner)
        {
            _inner = inner;
            _properties = new Dictionary<string, object?>(inner.AdditionalProperties) { [ToolCacheControlKey] = new CacheControlEphemeral() };
        }

        public override string Name => _inner.Name;

        public override string Description => _inner.Description;

        public override System.Text.Json.JsonElement JsonSchema => _inner.JsonSchema;

        public override System.Text.Json.JsonElement? ReturnJsonSchema => _inner.ReturnJsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties => _properties;

        public override object? GetService(System.Type serviceType, object? serviceKey = null) =>
            base.GetService(serviceType, serviceKey) ?? _inner.GetService(serviceType, serviceKey);
    }
}
