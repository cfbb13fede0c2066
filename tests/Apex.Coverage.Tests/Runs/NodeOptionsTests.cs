using System.ComponentModel.DataAnnotations;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Tests.Runs;

public sealed class NodeOptionsTests
{
    [Theory]
    [InlineData("00:00:05", "00:00:09", "Nodes:DeadAfter")]
    [InlineData("00:00:00", "00:00:30", "Nodes:HeartbeatInterval")]
    [InlineData("00:00:05", "00:00:10", null)]
    public void Validate_NamesTheKey_WhenAHeartbeatCouldReadAsADeadNode(string interval, string deadAfter, string? key)
    {
        var options = new NodeOptions { Name = "node-a", HeartbeatInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture), DeadAfter = TimeSpan.Parse(deadAfter, System.Globalization.CultureInfo.InvariantCulture) };
        var errors = new List<ValidationResult>();

        var valid = Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);

        Assert.Equal(key is null, valid);
        if (key is not null)
        {
            Assert.StartsWith(key, Assert.Single(errors).ErrorMessage, StringComparison.Ordinal);
        }
    }
}
