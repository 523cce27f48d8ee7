using System.Text;

namespace AgentHost.Tests.Security;

/// <summary>One fake secret as it appears in a file or an answer, and the values that must never come out.</summary>
/// <param name="Format">What it is.</param>
/// <param name="Text">The text around it, as it would be written (a line of an .env file, a JSON object, a PEM block …).</param>
/// <param name="Values">The secret parts: none of them may appear in scrubbed output.</param>
public sealed record SecretSample(string Format, string Text, IReadOnlyList<string> Values)
{
    public override string ToString() => Format;
}

/// <summary>
/// A corpus with one realistic but FAKE example of every secret format the scrubber knows. The values are made at run
/// time from a seeded generator and prefixes built from parts, so nothing in the repository looks like a live key to a
/// secret scanner.
/// </summary>
public static class SecretCorpus
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base64 = Alnum + "+/";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static IReadOnlyList<SecretSample> Create(int seed = 17)
    {
        var random = new Random(seed);
        string Chars(string alphabet, int length)
        {
            var builder = new StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            // Every generated value has a digit and a letter, like real keys (and unlike words).
            builder[0] = alphabet.Contains('Q', StringComparison.Ordinal) ? 'Q' : builder[0];
            builder[length / 2] = '7';
            return builder.ToString();
        }

        var samples = new List<SecretSample>();
        void Add(string format, string text, params string[] values) => samples.Add(new SecretSample(format, text, values));

        foreach (var kind in new[] { "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", string.Empty, "PGP " })
        {
            var lines = Enumerable.Range(0, 4).Select(_ => Chars(Base64, 64)).ToArray();
            var label = kind == "PGP " ? "PGP PRIVATE KEY BLOCK" : kind + "PRIVATE KEY";
            Add(
                $"PEM {label}",
                $"-----{"BEGIN"} {label}-----\n{string.Join('\n', lines)}\n{Chars(Base64, 20)}==\n-----END {label}-----",
                lines);
        }

        var serviceKey = Enumerable.Range(0, 3).Select(_ => Chars(Base64, 64)).ToArray();
        Add(
            "Google service-account JSON private_key",
            "{\"type\": \"service_account\", \"project_id\": \"demo-project\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" + string.Join("\\n", serviceKey) + "\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"bot@demo-project.iam.gserviceaccount.com\"}",
            serviceKey);

        var awsId = "AK" + "IA" + Chars(Upper, 16);
        var awsSecret = Chars(Base64, 40);
        Add("AWS credentials file (INI)", $"[default]\naws_access_key_id = {awsId}\naws_secret_access_key = {awsSecret}\nregion = eu-west-1", awsId, awsSecret);
        var awsEnv = Chars(Base64, 40);
        Add("AWS environment variable", $"export AWS_SECRET_ACCESS_KEY={awsEnv}", awsEnv);
        var stsId = "AS" + "IA" + Chars(Upper, 16);
        var stsSecret = Chars(Base64, 40);
        var stsToken = Chars(Base64, 180);
        Add("AWS STS JSON", $"{{\"Credentials\": {{\"AccessKeyId\": \"{stsId}\", \"SecretAccessKey\": \"{stsSecret}\", \"SessionToken\": \"{stsToken}\"}}}}", stsId, stsSecret, stsToken);
        var awsYaml = Chars(Base64, 40);
        Add("AWS YAML", $"aws:\n  aws_secret_access_key: {awsYaml}", awsYaml);
        var awsCode = Chars(Base64, 40);
        Add("AWS in code", $"client = boto3.client('s3', aws_secret_access_key=\"{awsCode}\")", awsCode);

        foreach (var prefix in new[] { "p", "o", "u", "s", "r" })
        {
            var token = "gh" + prefix + "_" + Chars(Alnum, 36);
            Add($"GitHub gh{prefix}_ token", $"GITHUB_TOKEN_{prefix.ToUpperInvariant()} is {token}", token);
        }

        var pat = "github" + "_pat_" + Chars(Alnum, 22) + "_" + Chars(Alnum, 59);
        Add("GitHub fine-grained PAT", $"git clone https://x:{pat}@github.com/o/r.git", pat);
        var gitlab = "gl" + "pat-" + Chars(Alnum, 20);
        Add("GitLab PAT", $"PRIVATE-TOKEN: {gitlab}", gitlab);

        var slackBot = "xo" + "xb-" + Chars("0123456789", 12) + "-" + Chars("0123456789", 13) + "-" + Chars(Alnum, 24);
        var slackUser = "xo" + "xp-" + Chars("0123456789", 12) + "-" + Chars("0123456789", 12) + "-" + Chars(Alnum, 32);
        Add("Slack tokens", $"bot {slackBot} user {slackUser}", slackBot, slackUser);
        var hookPath = "T" + Chars(Upper, 8) + "/B" + Chars(Upper, 10) + "/" + Chars(Alnum, 24);
        Add("Slack webhook URL", $"curl -X POST https://hooks.slack.com/services/{hookPath}", hookPath);

        var google = "AI" + "za" + Chars(Alnum + "_-", 35);
        Add("Google API key", $"const MAPS_KEY = '{google}';", google);
        var oauthSecret = "GOC" + "SPX-" + Chars(Alnum, 28);
        var oauthToken = "ya" + "29." + Chars(Alnum, 60);
        Add("Google OAuth client secret and access token", $"client {oauthSecret} access {oauthToken}", oauthSecret, oauthToken);

        var accountKey = Chars(Base64, 86) + "==";
        Add("Azure storage connection string", $"DefaultEndpointsProtocol=https;AccountName=demoacct;AccountKey={accountKey};EndpointSuffix=core.windows.net", accountKey);
        var busKey = Chars(Base64, 43) + "=";
        Add("Azure Service Bus connection string", $"Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={busKey}", busKey);
        var sas = Chars(Alnum, 40) + "%3D";
        Add("Azure SAS URL", $"https://demoacct.blob.core.windows.net/c/f.txt?sv=2022-11-02&se=2030-01-01&sp=r&sig={sas}", sas);

        var npm = "np" + "m_" + Chars(Alnum, 36);
        Add("npm token", $"NPM_PUBLISH={npm}", npm);
        var npmrc = Chars(Alnum, 8) + "-" + Chars(Alnum, 4) + "-" + Chars(Alnum, 12);
        Add(".npmrc auth token", $"//registry.npmjs.org/:_authToken={npmrc}", npmrc);

        var stripe = "sk" + "_live_" + Chars(Alnum, 24);
        var restricted = "rk" + "_live_" + Chars(Alnum, 24);
        Add("Stripe keys", $"Stripe.apiKey = \"{stripe}\"; // restricted {restricted}", stripe, restricted);

        var openai = "sk" + "-proj-" + Chars(Alnum + "_-", 120);
        var openaiLegacy = "sk" + "-" + Chars(Alnum, 48);
        var anthropic = "sk" + "-ant-api03-" + Chars(Alnum + "_-", 93) + "AA";
        Add("OpenAI keys", $"OPENAI_API_KEY={openai}\nold: {openaiLegacy}", openai, openaiLegacy);
        Add("Anthropic key", $"x-api-key: {anthropic}", anthropic);

        var jwt = "ey" + "J" + Chars(Alnum, 30) + ".ey" + "J" + Chars(Alnum, 60) + "." + Chars(Alnum + "_-", 43);
        Add("JWT", $"session cookie: {jwt}", jwt);

        var urlPassword = Chars(Alnum, 18);
        var dbPassword = Chars(Alnum, 14);
        Add("Passwords in URLs", $"remote: https://deploy:{urlPassword}@git.example.com/r.git db: postgres://app:{dbPassword}@db:5432/app", urlPassword, dbPassword);

        var bearer = Chars(Alnum + "._-", 40);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Chars(Alnum, 16)));
        Add("Authorization headers", $"Authorization: Bearer {bearer}\nAuthorization: Basic {basic}", bearer, basic);

        var envPassword = Chars(Alnum, 20);
        var jsonPassword = Chars(Alnum + "!@#%", 16);
        var yamlSecret = Chars(Alnum, 32);
        Add("password and secret assignments", $"DB_PASSWORD={envPassword}\n{{\"password\": \"{jsonPassword}\"}}\nclient_secret: {yamlSecret}", envPassword, jsonPassword, yamlSecret);
        return samples;
    }

    /// <summary>The whole corpus as one file's text, each sample under a heading line.</summary>
    public static string Document(IEnumerable<SecretSample> samples) =>
        string.Join("\n\n", samples.Select(s => $"## {s.Format}\n{s.Text}")) + "\n";
}
