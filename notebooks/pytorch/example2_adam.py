# The seed's Example 2, as written, plus torch.manual_seed(0) so lrlab can reproduce it,
# and a print of the final weights to compare with lrlab's.
import torch
import torch.nn as nn
import torch.optim as optim
torch.manual_seed(0)

class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.linear = nn.Linear(10, 1)
    def forward(self, x):
        return self.linear(x)

model = SimpleModel()
criterion = nn.MSELoss()
base_lr = 0.01
optimizer = optim.Adam(model.parameters(), lr=base_lr)
dummy_input = torch.randn(1, 10)
dummy_target = torch.randn(1, 1)
print(f"Initial Base Learning Rate: {optimizer.param_groups[0]['lr']:.4f}")
for step in range(20):
    output = model(dummy_input)
    loss = criterion(output, dummy_target)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if step % 5 == 0:
      print(f"Step: {step}, Effective Learning Rate: {optimizer.param_groups[0]['lr']:.4f}")
# added: the final weights, to compare with lrlab's
print(f"Final weight: {[round(v, 4) for v in model.linear.weight.detach().flatten().tolist()]}")
