// Part of Census2Mibc (Program.cs has the usage and the format).
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

/// <summary>Writes methods as a .mibc (zipped, as dotnet-pgo does by default).</summary>
sealed class MibcWriter(Type canon, bool hot, Func<IReadOnlyCollection<string>, string?>? home)
{
    readonly MetadataBuilder _md = new();
    readonly Dictionary<string, AssemblyReferenceHandle> _asmRefs = new();
    readonly Dictionary<Type, EntityHandle> _typeRefs = new();
    readonly Dictionary<Type, EntityHandle> _typeSpecs = new();
    readonly Dictionary<MethodBase, EntityHandle> _methodRefs = new();

    public int Write(List<MethodBase> methods, string output, bool verbose)
    {
        // Named after the file with its extension, as dotnet-pgo does, so it never shares a name with an input assembly.
        string name = Path.GetFileName(output);
        _md.AddModule(0, _md.GetOrAddString(name), _md.GetOrAddGuid(new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name)))), default, default);
        _md.AddAssembly(_md.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.None);

        var groups = new SortedDictionary<string, List<EntityHandle>>(StringComparer.Ordinal);
        int written = 0;
        // A stable order (not the JIT's, which varies with threads), so the same methods give the same file.
        methods = methods.OrderBy(m => m.DeclaringType!.Assembly.GetName().Name, StringComparer.Ordinal)
            .ThenBy(m => m.DeclaringType!.ToString(), StringComparer.Ordinal).ThenBy(m => m.ToString(), StringComparer.Ordinal).ToList();
        foreach (MethodBase m in methods)
        {
            EntityHandle handle;
            try
            {
                handle = MethodRef(m);
            }
            catch (NotSupportedException e)
            {
                if (verbose) Console.Error.WriteLine($"skipped {m.DeclaringType}::{m}: {e.Message}");
                continue;
            }
            string defining = m.DeclaringType!.Assembly.GetName().Name!;
            var others = new SortedSet<string>(StringComparer.Ordinal);
            AddAssemblies(m.DeclaringType!, others);
            if (m.IsGenericMethod) foreach (Type a in m.GetGenericArguments()) AddAssemblies(a, others);
            string group;
            if (home is null)
            {
                others.Remove(defining);
                group = defining + ";" + string.Concat(others.Select(o => o + ";"));
            }
            else
            {
                others.Add(defining);
                if (home(others) is not { } at) continue;
                group = at + ";";
            }
            if (!groups.TryGetValue(group, out var list)) groups[group] = list = new();
            list.Add(handle);
            written++;
        }

        var bodies = new BlobBuilder();
        var encoder = new MethodBodyStreamEncoder(bodies);
        var voidSig = new BlobBuilder();
        new BlobEncoder(voidSig).MethodSignature().Parameters(0, r => r.Void(), p => { });
        BlobHandle voidSigHandle = _md.GetOrAddBlob(voidSig);
        var groupMethods = new List<(string Name, MethodDefinitionHandle Handle)>();
        var defs = new List<(string Name, int Offset)>();
        int index = 0;
        foreach (var (group, handles) in groups)
        {
            var il = new InstructionEncoder(new BlobBuilder());
            foreach (EntityHandle h in handles)
            {
                il.OpCode(ILOpCode.Ldtoken);
                il.Token(h);
                if (hot)
                {
                    // A weight above zero puts the method in the hot region of --method-layout:hotcold.
                    il.LoadString(_md.GetOrAddUserString("ExclusiveWeight"));
                    il.LoadConstantI4(1);
                }
                il.OpCode(ILOpCode.Pop);
            }
            defs.Add(($"Assemblies_{group}_{++index}", encoder.AddMethodBody(il, maxStack: 8)));
        }
        // AssemblyDictionary comes last; its IL refers to the group methods by their (future) MethodDef rows 1..n.
        var dict = new InstructionEncoder(new BlobBuilder());
        int row = 1;
        foreach (var group in groups.Keys)
        {
            dict.LoadString(_md.GetOrAddUserString(group));
            dict.OpCode(ILOpCode.Ldtoken);
            dict.Token(MetadataTokens.MethodDefinitionHandle(row++));
            dict.OpCode(ILOpCode.Pop);
        }
        dict.OpCode(ILOpCode.Ret);
        defs.Add(("AssemblyDictionary", encoder.AddMethodBody(dict, maxStack: 8)));

        MethodDefinitionHandle first = default;
        foreach (var (methodName, offset) in defs)
        {
            var h = _md.AddMethodDefinition(MethodAttributes.Public | MethodAttributes.Static, MethodImplAttributes.IL,
                _md.GetOrAddString(methodName), voidSigHandle, offset, default);
            if (first.IsNil) first = h;
        }
        _md.AddTypeDefinition(default, default, _md.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), first);

        var pe = new ManagedPEBuilder(new PEHeaderBuilder(imageCharacteristics: Characteristics.Dll | Characteristics.ExecutableImage),
            new MetadataRootBuilder(_md), bodies,
            deterministicIdProvider: content =>
            {
                using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                foreach (Blob b in content) hash.AppendData(b.GetBytes());
                return BlobContentId.FromHash(hash.GetHashAndReset());
            });
        var blob = new BlobBuilder();
        pe.Serialize(blob);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using var file = File.Create(output);
        // The compressed form crossgen2 also reads: a zip whose one entry is "<file name>.dll". A fixed entry time
        // keeps the file the same for the same methods.
        using var zip = new System.IO.Compression.ZipArchive(file, System.IO.Compression.ZipArchiveMode.Create);
        var entry = zip.CreateEntry(name + ".dll", System.IO.Compression.CompressionLevel.SmallestSize);
        entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using (var stream = entry.Open())
        {
            blob.WriteContentTo(stream);
        }
        return written;
    }

    void AddAssemblies(Type t, SortedSet<string> into)
    {
        while (t.HasElementType) t = t.GetElementType()!;
        if (t.IsPrimitive || t == canon || t.IsGenericParameter) return;
        into.Add(t.Assembly.GetName().Name!);
        if (t.IsConstructedGenericType) foreach (Type a in t.GetGenericArguments()) AddAssemblies(a, into);
    }

    AssemblyReferenceHandle AsmRef(string name)
    {
        if (!_asmRefs.TryGetValue(name, out var h))
        {
            _asmRefs[name] = h = _md.AddAssemblyReference(_md.GetOrAddString(name), new Version(0, 0, 0, 0), default, default, 0, default);
        }
        return h;
    }

    EntityHandle TypeRef(Type t)
    {
        if (_typeRefs.TryGetValue(t, out var h)) return h;
        EntityHandle scope = t == canon ? AsmRef("System.Private.Canon")
            : t.IsNested ? TypeRef(t.DeclaringType!) : AsmRef(t.Assembly.GetName().Name!);
        h = _md.AddTypeReference(scope, t.IsNested ? default : _md.GetOrAddString(t.Namespace ?? ""), _md.GetOrAddString(t.Name));
        _typeRefs[t] = h;
        return h;
    }

    EntityHandle TypeSpecOrRef(Type t)
    {
        if (!t.IsConstructedGenericType && !t.HasElementType) return TypeRef(t);
        if (_typeSpecs.TryGetValue(t, out var h)) return h;
        var b = new BlobBuilder();
        Encode(new BlobEncoder(b).TypeSpecificationSignature(), t);
        h = _md.AddTypeSpecification(_md.GetOrAddBlob(b));
        _typeSpecs[t] = h;
        return h;
    }

    void Encode(SignatureTypeEncoder e, Type t)
    {
        if (t.IsGenericParameter)
        {
            if (t.DeclaringMethod is not null) e.GenericMethodTypeParameter(t.GenericParameterPosition);
            else e.GenericTypeParameter(t.GenericParameterPosition);
            return;
        }
        if (t.IsSZArray) { Encode(e.SZArray(), t.GetElementType()!); return; }
        if (t.IsArray)
        {
            int rank = t.GetArrayRank();
            e.Array(out var elem, out var shape);
            Encode(elem, t.GetElementType()!);
            shape.Shape(rank, ImmutableArray<int>.Empty, ImmutableArray<int>.Empty);
            return;
        }
        if (t.IsPointer) { Encode(e.Pointer(), t.GetElementType()!); return; }
        if (t.IsByRef || t.IsFunctionPointer) throw new NotSupportedException($"type {t}");
        switch (t.FullName)
        {
            case "System.Boolean": e.Boolean(); return;
            case "System.Char": e.Char(); return;
            case "System.SByte": e.SByte(); return;
            case "System.Byte": e.Byte(); return;
            case "System.Int16": e.Int16(); return;
            case "System.UInt16": e.UInt16(); return;
            case "System.Int32": e.Int32(); return;
            case "System.UInt32": e.UInt32(); return;
            case "System.Int64": e.Int64(); return;
            case "System.UInt64": e.UInt64(); return;
            case "System.Single": e.Single(); return;
            case "System.Double": e.Double(); return;
            case "System.IntPtr": e.IntPtr(); return;
            case "System.UIntPtr": e.UIntPtr(); return;
            case "System.Object": e.Object(); return;
            case "System.String": e.String(); return;
            case "System.TypedReference": e.Builder.WriteByte((byte)SignatureTypeCode.TypedReference); return;
        }
        if (t.IsConstructedGenericType)
        {
            Type def = t.GetGenericTypeDefinition();
            Type[] args = t.GetGenericArguments();
            var ga = e.GenericInstantiation(TypeRef(def), args.Length, def.IsValueType);
            foreach (Type a in args) Encode(ga.AddArgument(), a);
            return;
        }
        e.Type(TypeRef(t), t != canon && t.IsValueType);
    }

    void EncodeModifiers(CustomModifiersEncoder m, Type[] required, Type[] optional)
    {
        foreach (Type r in required) m = m.AddModifier(TypeRef(r), isOptional: false);
        foreach (Type o in optional) m = m.AddModifier(TypeRef(o), isOptional: true);
    }

    void EncodeParam(Type type, Type[] req, Type[] opt, CustomModifiersEncoder mods, Func<bool, SignatureTypeEncoder> typeEncoder, Action voidEncoder)
    {
        EncodeModifiers(mods, req, opt);
        if (type.FullName == "System.Void") { voidEncoder(); return; }
        bool byRef = type.IsByRef;
        Encode(typeEncoder(byRef), byRef ? type.GetElementType()! : type);
    }

    EntityHandle MethodRef(MethodBase m)
    {
        if (_methodRefs.TryGetValue(m, out var h)) return h;
        Type owner = m.DeclaringType!;
        // The signature is the definition's (generic parameters as VAR/MVAR), the parent the instantiated type.
        MethodBase def = m;
        if (m is MethodInfo { IsGenericMethod: true } gm) def = gm.GetGenericMethodDefinition();
        if (owner.IsConstructedGenericType)
        {
            Type ownerDef = owner.GetGenericTypeDefinition();
            def = ownerDef.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .OfType<MethodBase>().Single(x => x.MetadataToken == def.MetadataToken);
        }
        var sig = new BlobBuilder();
        int genericCount = def.IsGenericMethodDefinition ? def.GetGenericArguments().Length : 0;
        var ps = def.GetParameters();
        var methodSig = new BlobEncoder(sig).MethodSignature(
            def.CallingConvention.HasFlag(CallingConventions.VarArgs) ? SignatureCallingConvention.VarArgs : SignatureCallingConvention.Default,
            genericCount, isInstanceMethod: !def.IsStatic);
        ParameterInfo? ret = (def as MethodInfo)?.ReturnParameter;
        methodSig.Parameters(ps.Length,
            r =>
            {
                if (ret is null) { r.Void(); return; }
                EncodeParam(ret.ParameterType, ret.GetRequiredCustomModifiers(), ret.GetOptionalCustomModifiers(), r.CustomModifiers(),
                    byRef => r.Type(byRef), () => r.Void());
            },
            p =>
            {
                foreach (ParameterInfo pi in ps)
                {
                    var pe = p.AddParameter();
                    EncodeParam(pi.ParameterType, pi.GetRequiredCustomModifiers(), pi.GetOptionalCustomModifiers(), pe.CustomModifiers(),
                        byRef => pe.Type(byRef), () => throw new NotSupportedException("void parameter"));
                }
            });
        EntityHandle memberRef = _md.AddMemberReference(TypeSpecOrRef(owner), _md.GetOrAddString(def.Name), _md.GetOrAddBlob(sig));
        h = memberRef;
        if (m.IsGenericMethod)
        {
            var inst = new BlobBuilder();
            Type[] args = m.GetGenericArguments();
            var ge = new BlobEncoder(inst).MethodSpecificationSignature(args.Length);
            foreach (Type a in args) Encode(ge.AddArgument(), a);
            h = _md.AddMethodSpecification(memberRef, _md.GetOrAddBlob(inst));
        }
        _methodRefs[m] = h;
        return h;
    }
}
