using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Security;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Security;

/// <summary>
/// The scrubber's rules are data (<c>secret-rules.yaml</c>): every built-in rule masks each of its examples on its own
/// and through the whole scrubber (also split across stream deltas), and the whole set leaves every counterexample
/// alone; rules from the configuration are read, used and, when wrong, refused with the file, line and fix.
/// </summary>
public sealed class SecretRuleTests
{
    private static readonly SecretRuleSet WithExamples = SecretRuleReader.LoadBuiltIn(withExamples: true);

    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var rule in SecretRuleSet.BuiltIn.Rules)
        {
            data.Add(rule.Id);
        }

        return data;
    }

    [Fact]
    public void BuiltInRules_AreLoadedFromData_EachWithExamplesAndCounterexamples()
    {
        var rules = WithExamples.Rules;

        Assert.True(rules.Count >= 20, $"only {rules.Count} rules");
        Assert.All(rules, rule =>
        {
            Assert.NotEmpty(rule.Keywords);
            Assert.NotEmpty(rule.Description);
            Assert.True(rule.Examples.Count > 0 && rule.Counterexamples.Count > 0, $"{rule.Id}: every rule needs an example and a counterexample");
        });
        Assert.Contains(rules, rule => rule.Id == "private-key" && rule.BlockEnd is not null);
        Assert.Contains(rules, rule => rule.Id == "aws-secret-access-key-in-context" && rule.MinimumEntropy is not null);

        // A run reads the same rules past their examples (only these tests use them).
        Assert.Equal(rules.Select(rule => (rule.Id, rule.Pattern, string.Join('|', rule.Keywords), rule.MinimumEntropy, rule.OneWord, rule.BlockEnd)), SecretRuleSet.BuiltIn.Rules.Select(rule => (rule.Id, rule.Pattern, string.Join('|', rule.Keywords), rule.MinimumEntropy, rule.OneWord, rule.BlockEnd)));
        Assert.All(SecretRuleSet.BuiltIn.Rules, rule => Assert.Empty(rule.Examples));
    }

    [Fact]
    public void ARulesCompiledTier_StartsOnlyAfterItHasRunCompileAfterUsesTimes_AndMasksAsTheInterpretedOneDid()
    {
        var rule = Assert.Single(SecretRuleReader.Parse("""
            rules:
              - id: demo-token
                description: A demo token
                keywords: [demo_]
                regex: 'demo_(?<secret>[a-z0-9]{16})'
                examples: ['demo_{{lower:16}}']
                counterexamples: ['demo_short']
            """, "test.yaml"));
        const string Text = "key: demo_abcdefgh12345678 end";
        var masked = "key: demo_" + SecretScrubber.Mask + " end";

        for (var use = 1; use < SecretRule.CompileAfterUses; use++)
        {
            Assert.Equal(masked, rule.Mask(Text));
        }

        // A rule a run meets only now and then never pays for the compile (before, the first use started it).
        Assert.False(SpinWait.SpinUntil(() => rule.IsCompiled, TimeSpan.FromSeconds(2)), "compiled before its uses reached the limit");

        Assert.Equal(masked, rule.Mask(Text));
        Assert.True(SpinWait.SpinUntil(() => rule.IsCompiled, TimeSpan.FromSeconds(30)), "the compiled tier never replaced the interpreted one");
        Assert.Equal(masked, rule.Mask(Text));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_MasksEachOfItsExamples_OnItsOwnAndInTheWholeSet(string id)
    {
        var rule = WithExamples.Rules.Single(r => r.Id == id);
        var alone = new SecretScrubber(null, new SecretRuleSet([rule]));

        foreach (var example in rule.Examples)
        {
            var (text, secrets) = SecretRuleExamples.Expand(example);
            Assert.NotEmpty(secrets);
            var byRule = alone.Scrub($"before\n{text}\nafter");
            var byAll = SecretScrubber.PatternsOnly.Scrub($"before\n{text}\nafter");

            // On its own the rule masks what it finds (a line may hold another rule's secret too, such as an access key id).
            Assert.Contains(SecretScrubber.Mask, byRule, StringComparison.Ordinal);
            Assert.Contains(secrets, secret => !byRule.Contains(secret, StringComparison.Ordinal));
            Assert.All(secrets, secret => Assert.False(byAll.Contains(secret, StringComparison.Ordinal), $"{id}: {secret} survived the set in {byAll}"));
            Assert.StartsWith("before\n", byAll, StringComparison.Ordinal);
            Assert.EndsWith("\nafter", byAll, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_CounterexamplesAreLeftAlone_ByTheWholeSet(string id)
    {
        var rule = WithExamples.Rules.Single(r => r.Id == id);

        foreach (var counterexample in rule.Counterexamples)
        {
            var (text, _) = SecretRuleExamples.Expand(counterexample);
            Assert.Equal(text, SecretScrubber.PatternsOnly.Scrub(text));
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_MasksItsExamples_SplitAtAnyPointOfAStream(string id)
    {
        var rule = WithExamples.Rules.Single(r => r.Id == id);
        foreach (var example in rule.Examples)
        {
            var (secretText, secrets) = SecretRuleExamples.Expand(example);
            var text = $"Here it is:\n{secretText}\nThat was {id}.";
            for (var cut = 1; cut < text.Length; cut++)
            {
                var stream = new SecretStreamScrubber(SecretScrubber.PatternsOnly);

                var emitted = stream.Push(text[..cut]) + stream.Push(text[cut..]) + stream.Flush();

                Assert.All(secrets, secret => Assert.False(emitted.Contains(secret, StringComparison.Ordinal), $"{id} split at {cut}: {secret} survived in {emitted}"));
                Assert.EndsWith($"That was {id}.", emitted, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void AwsSecretAccessKey_NamedOnlyByTheWordAws_IsMasked_ButA40CharacterHashIsNot()
    {
        var (text, secrets) = SecretRuleExamples.Expand("The AWS secret key is {{base64:40}}; commit 9fceb02d0ae598e95dc970b74767f19372d61af8.");

        var scrubbed = SecretScrubber.PatternsOnly.Scrub(text);

        Assert.DoesNotContain(secrets[0], scrubbed, StringComparison.Ordinal);
        Assert.Contains("9fceb02d0ae598e95dc970b74767f19372d61af8", scrubbed, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfiguredRule_IsAddedToTheBuiltInOnes_AndMasksItsSecret()
    {
        using var temp = new TempDirectory();
        var configuration = Resolve(temp, """
            secrets:
              rules:
                - id: acme-token
                  description: ACME API tokens
                  keywords: [acme_]
                  regex: 'acme_(?<secret>[a-z0-9]{24})'
                  entropy: 3
            """);

        var rules = SecretRuleReader.FromConfiguration(configuration);
        var scrubber = new SecretScrubber(null, SecretRuleSet.BuiltIn.With(rules));

        var rule = Assert.Single(rules);
        Assert.Equal(("acme-token", "ACME API tokens", 3.0), (rule.Id, rule.Description, rule.MinimumEntropy!.Value));
        Assert.Equal("key acme_[REDACTED] and acme_aaaaaaaaaaaaaaaaaaaaaaaa", scrubber.Scrub("key acme_q7w8e9r0t1y2u3i4o5p6a7s8 and acme_aaaaaaaaaaaaaaaaaaaaaaaa"));
        Assert.Equal("aws_secret_access_key = [REDACTED]", scrubber.Scrub("aws_secret_access_key = " + new string('Q', 20) + "7" + new string('z', 19)));
    }

    [Theory]
    [InlineData("rules:\n  - id: demo\n    keyword: [demo_]\n    regex: 'demo_[a-z]+'", 3, "'keyword' is not a field of a rule")]
    [InlineData("rules:\n  - id: demo\n    keywords: demo_\n    regex: 'demo_[a-z]+'", 3, "'keywords' is not a list")]
    [InlineData("rules:\n  - id: demo\n    keywords: [demo_]\n    one_word: maybe\n    regex: 'demo_[a-z]+'", 2, "'maybe' is not true or false")]
    [InlineData("rule:\n  - id: demo", 1, "'rule' is not a section")]
    [InlineData("rules:\n  - id: demo\n    keywords: [demo_\n    regex: x", 3, "is not valid YAML")]
    [InlineData("fragments: [a]\nrules: []", 1, "'fragments' is not a mapping")]
    [InlineData("rules: []\nfragments:\n  a: b", 2, "'fragments' comes after 'rules'")]
    public void RuleFile_ThatIsMisshapen_IsRefused_NamingTheLineAndField(string yaml, int line, string why)
    {
        var error = Assert.Throws<AgentHostException>(() => SecretRuleReader.Parse(yaml, "rules.yaml"));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith($"rules.yaml:{line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("regex: 'acme_(?<=x)[a-z]+'\n      keywords: [acme_]", "secrets.rules.0.regex", "linear-time engine")]
    [InlineData("regex: 'acme_([a-z'\n      keywords: [acme_]", "secrets.rules.0.regex", "not valid")]
    [InlineData("regex: 'acme_[a-z]+'", "secrets.rules.0.keywords", "at least one keyword")]
    [InlineData("regex: 'acme_[a-z]+'\n      keywords: [acme_]\n      entropy: lots", "secrets.rules.0.entropy", "not a number")]
    public void ConfiguredRule_ThatCannotWork_IsRefused_NamingTheFileLineAndField(string fields, string key, string why)
    {
        using var temp = new TempDirectory();
        var configuration = Resolve(temp, $"secrets:\n  rules:\n    - id: acme\n      {fields}\n", allowErrors: true);

        var error = Assert.Throws<AgentHostException>(() => SecretRuleReader.FromConfiguration(configuration));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.Contains("config.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        if (key.EndsWith(".regex", StringComparison.Ordinal))
        {
            // 'agent config validate' reports it too.
            Assert.Contains(configuration.Problems, problem => problem.IsError && problem.ToString().Contains(key, StringComparison.Ordinal) && problem.ToString().Contains(why, StringComparison.Ordinal));
        }
    }

    private static ConfigurationSnapshot Resolve(TempDirectory temp, string globalConfig, bool allowErrors = false)
    {
        temp.WriteFile(Path.Combine("agent-home", "config.yaml"), globalConfig);
        Directory.CreateDirectory(temp.Combine("work"));
        var environment = TestEnvironment.Create(temp.Path, temp.Combine("work"));
        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), []);
        Assert.True(allowErrors || !configuration.HasErrors, string.Join('\n', configuration.Problems));
        return configuration;
    }
}
