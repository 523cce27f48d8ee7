using System.Text;
using System.Text.RegularExpressions;

namespace AgentHost.Hosting.Tests.Security;

/// <summary>
/// Expands the placeholders of a rule's examples (<c>secret-rules.yaml</c>): <c>{{alnum:N}}</c>, <c>{{base64:N}}</c>,
/// <c>{{hex:N}}</c>, <c>{{upper:N}}</c> (A-Z, 0-9), <c>{{lower:N}}</c> and <c>{{digits:N}}</c> become N characters from a
/// seeded generator, <c>{{lit:TEXT}}</c> becomes TEXT. Every generated value with letters starts with an upper case
/// letter and has a digit in its middle when its alphabet has them, like real keys.
/// </summary>
internal static partial class SecretRuleExamples
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string UpperLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Digits = "0123456789";

    /// <summary>The text, and the generated values of 8 characters or more (what must not survive scrubbing).</summary>
    public static (string Text, IReadOnlyList<string> Secrets) Expand(string example, int seed = 44)
    {
        var random = new Random(seed);
        var secrets = new List<string>();
        var text = Placeholder().Replace(example, match =>
        {
            var kind = match.Groups["kind"].Value;
            if (kind == "lit")
            {
                return match.Groups["arg"].Value;
            }

            var alphabet = kind switch
            {
                "alnum" => UpperLetters + Lower + Digits,
                "base64" => UpperLetters + Lower + Digits + "+/",
                "hex" => Digits + "abcdef",
                "upper" => UpperLetters + Digits,
                "lower" => Lower,
                "digits" => Digits,
                _ => throw new InvalidOperationException($"unknown placeholder {match.Value}"),
            };
            var length = int.Parse(match.Groups["arg"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var value = new StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                value.Append(alphabet[random.Next(alphabet.Length)]);
            }

            if (alphabet.Contains('Q', StringComparison.Ordinal))
            {
                value[0] = 'Q';
            }

            if (alphabet.Contains('7', StringComparison.Ordinal) && length > 2)
            {
                value[length / 2] = '7';
            }

            if (length >= 8)
            {
                secrets.Add(value.ToString());
            }

            return value.ToString();
        });
        return (text, secrets);
    }

    [GeneratedRegex(@"\{\{(?<kind>[a-z0-9]+):(?<arg>[^}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
