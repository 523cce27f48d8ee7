using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// Which namespaces of one compiled assembly use which others: read from its metadata (base types, interfaces, field and
/// method signatures, local variables and every type, method and field a method body names). Namespaces follow
/// folders, so this is the folder graph of a component. Compiler-generated nested types count as their outer type.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value, code => code.OperandType);

    private NamespaceGraph(Dictionary<string, Dictionary<string, string>> edges) => _edges = edges;

    private readonly Dictionary<string, Dictionary<string, string>> _edges;

    /// <summary>Each namespace and the namespaces of the same assembly it uses (itself excluded).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Edges =>
        _edges.ToDictionary(pair => pair.Key, pair => (IReadOnlySet<string>)pair.Value.Keys.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Why <paramref name="from"/> uses <paramref name="to"/>: one of its types and the type it uses.</summary>
    public string Why(string from, string to) => _edges[from][to];

    /// <summary>Reads the assembly at <paramref name="path"/>, keeping namespaces that start with <paramref name="root"/>.</summary>
    public static NamespaceGraph Read(string path, string root)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var from = NamespaceOf(reader, typeHandle);
            if (!InRoot(from, root))
            {
                continue;
            }

            var used = new Collector(reader);
            Collect(reader, pe, typeHandle, used);
            var targets = edges.TryGetValue(from, out var known) ? known : edges[from] = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var usedType in used.Types)
            {
                var target = NamespaceOf(reader, usedType);
                if (target != from && InRoot(target, root))
                {
                    targets.TryAdd(target, $"{NameOf(reader, typeHandle)} uses {NameOf(reader, usedType)}");
                }
            }
        }

        return new NamespaceGraph(edges);
    }

    /// <summary>The strongly connected groups of two or more namespaces: each is a cycle between folders.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLinks = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<IReadOnlyList<string>>();
        foreach (var node in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!indices.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return groups;

        void Connect(string node)
        {
            indices[node] = lowLinks[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges.TryGetValue(node, out var targets) ? targets.Keys : Enumerable.Empty<string>())
            {
                if (!indices.TryGetValue(next, out var nextIndex))
                {
                    Connect(next);
                    lowLinks[node] = Math.Min(lowLinks[node], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[node] = Math.Min(lowLinks[node], nextIndex);
                }
            }

            if (lowLinks[node] == indices[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != node);
                if (group.Count > 1)
                {
                    groups.Add([.. group.Order(StringComparer.Ordinal)]);
                }
            }
        }
    }

    private static bool InRoot(string name, string root) =>
        name == root || name.StartsWith(root + ".", StringComparison.Ordinal);

    private static string NameOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
        }

        return reader.GetString(type.Name);
    }

    private static string NamespaceOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
        }

        return reader.GetString(type.Namespace);
    }

    private static void Collect(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle, Collector used)
    {
        var type = reader.GetTypeDefinition(handle);
        used.Entity(type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            used.Entity(reader.GetInterfaceImplementation(implementation).Interface);
        }

        foreach (var fieldHandle in type.GetFields())
        {
            reader.GetFieldDefinition(fieldHandle).DecodeSignature(used, null);
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(methodHandle);
            method.DecodeSignature(used, null);
            if (method.RelativeVirtualAddress != 0)
            {
                Body(reader, pe.GetMethodBody(method.RelativeVirtualAddress), used);
            }
        }
    }

    private static void Body(MetadataReader reader, MethodBodyBlock body, Collector used)
    {
        if (!body.LocalSignature.IsNil)
        {
            reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(used, null);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (Operands[value])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.ReadByte();
                    break;
                case OperandType.InlineVar:
                    il.ReadInt16();
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.ReadInt64();
                    break;
                case OperandType.InlineSwitch:
                    var count = il.ReadInt32();
                    il.Offset += count * 4;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    used.Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                default:
                    il.ReadInt32();
                    break;
            }
        }
    }

    /// <summary>Collects the assembly's own types that a signature or a token names.</summary>
    private sealed class Collector(MetadataReader reader) : ISignatureTypeProvider<bool, object?>
    {
        public HashSet<TypeDefinitionHandle> Types { get; } = [];

        public void Entity(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Types.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    Types.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    Types.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Entity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(specification.Method);
                    specification.DecodeSignature(this, null);
                    break;
            }
        }

        public bool GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => Types.Add(handle);

        public bool GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => false;

        public bool GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        {
            Entity(handle);
            return false;
        }

        public bool GetArrayType(bool elementType, ArrayShape shape) => false;

        public bool GetByReferenceType(bool elementType) => false;

        public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;

        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;

        public bool GetGenericMethodParameter(object? genericContext, int index) => false;

        public bool GetGenericTypeParameter(object? genericContext, int index) => false;

        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;

        public bool GetPinnedType(bool elementType) => false;

        public bool GetPointerType(bool elementType) => false;

        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;

        public bool GetSZArrayType(bool elementType) => false;
    }
}
