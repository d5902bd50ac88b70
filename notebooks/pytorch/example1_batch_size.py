# The seed's Example 1, as written, plus torch.manual_seed(0) so lrlab can reproduce it.
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
batch_sizes = [32, 128, 512]
dummy_input = torch.randn(1, 10)
dummy_target = torch.randn(1, 1)

for bs in batch_sizes:
    optimizer = optim.SGD(model.parameters(), lr=base_lr)
    for _ in range(10):
      for _ in range(bs):
          output = model(dummy_input)
          loss = criterion(output, dummy_target)
          loss.backward()
      optimizer.step()
      optimizer.zero_grad()
    param_change_norm = 0
    for param in model.parameters():
        param_change_norm += torch.norm(param.grad)
    print(f"Batch size: {bs}, Accumulated parameter change norm: {param_change_norm.item():.4f}")
