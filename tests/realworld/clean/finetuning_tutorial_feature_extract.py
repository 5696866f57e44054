# source: https://github.com/pytorch/tutorials/blob/0019b9cdaccf5db320d81238c202cebe9d876ca4/beginner_source/finetuning_torchvision_models_tutorial.py
# expect: clean
# pitfall: none: with feature_extract=True, set_parameter_requires_grad freezes every parameter of the pretrained model, but initialize_model then replaces `model_ft.fc` with a fresh nn.Linear whose parameters require grad, so the loss has a graph and the optimizer gets exactly those parameters. torchvision's resnet18 (not installed here) is replaced by a small stand-in with the same `fc` attribute, the data loaders by one batch that train_model's phase loop runs through
import torch
import torch.nn as nn
import torch.optim as optim


class _ResNetStub(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 1000)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(torch.relu(self.conv1(x))), 1))


class models:
    @staticmethod
    def resnet18(pretrained=False):
        return _ResNetStub()


model_name = "resnet"
num_classes = 2
feature_extract = True


def set_parameter_requires_grad(model, feature_extracting):
    if feature_extracting:
        for param in model.parameters():
            param.requires_grad = False


def initialize_model(model_name, num_classes, feature_extract, use_pretrained=True):
    # Initialize these variables which will be set in this if statement. Each of these
    #   variables is model specific.
    model_ft = None
    input_size = 0

    if model_name == "resnet":
        """ Resnet18
        """
        model_ft = models.resnet18(pretrained=use_pretrained)
        set_parameter_requires_grad(model_ft, feature_extract)
        num_ftrs = model_ft.fc.in_features
        model_ft.fc = nn.Linear(num_ftrs, num_classes)
        input_size = 224

    else:
        print("Invalid model name, exiting...")
        exit()
    
    return model_ft, input_size

# Initialize the model for this run
model_ft, input_size = initialize_model(model_name, num_classes, feature_extract, use_pretrained=True)

device = torch.device("cpu")
model_ft = model_ft.to(device)

params_to_update = model_ft.parameters()
print("Params to learn:")
if feature_extract:
    params_to_update = []
    for name,param in model_ft.named_parameters():
        if param.requires_grad == True:
            params_to_update.append(param)
            print("\t",name)
else:
    for name,param in model_ft.named_parameters():
        if param.requires_grad == True:
            print("\t",name)

# Observe that all parameters are being optimized
optimizer_ft = optim.SGD(params_to_update, lr=0.001, momentum=0.9)

# Setup the loss fxn
criterion = nn.CrossEntropyLoss()

inputs = torch.randn(4, 3, 32, 32)
labels = torch.tensor([0, 1, 1, 0])
for phase in ['train', 'val']:
    if phase == 'train':
        model_ft.train()  # Set model to training mode
    else:
        model_ft.eval()   # Set model to evaluate mode

    # zero the parameter gradients
    optimizer_ft.zero_grad()

    # forward
    # track history if only in train
    with torch.set_grad_enabled(phase == 'train'):
        outputs = model_ft(inputs)
        loss = criterion(outputs, labels)

        _, preds = torch.max(outputs, 1)

        # backward + optimize only if in training phase
        if phase == 'train':
            loss.backward()
            optimizer_ft.step()
