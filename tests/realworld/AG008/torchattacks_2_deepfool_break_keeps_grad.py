# source: https://github.com/Harry24k/adversarial-attacks-pytorch/issues/2 (torchattacks/attacks/deepfool.py at a4fd2b5555cc5acdcd5085b19226c059f13d31da, v0.9)
# expect: AG008
# pitfall: when the attack flips the prediction the inner loop breaks with `image` still requiring grad, `images[b:b+1,:,:,:] = image` makes `images` part of a graph, and the next image's `image.requires_grad = True` on the slice `images[b:b+1,:,:,:]` (now a non-leaf) raises "you can only change requires_grad flags of leaf variables" (fixed by detaching before the break). The Attack base class is cut to what forward uses, the model to a small conv net, the data set to random images
import torch
import torch.nn as nn
class Attack(object):
    def __init__(self, name, model):
        self.attack = name
        self.model = model
        self.model_name = str(model).split("(")[0]
        self.training = model.training
        self.device = torch.device("cuda" if next(model.parameters()).is_cuda else "cpu")
        self.mode = 'float'

    def __call__(self, *input, **kwargs):
        self.model.eval()
        images = self.forward(*input, **kwargs)
        return images
class DeepFool(Attack):
    def __init__(self, model, iters=3):
        super(DeepFool, self).__init__("DeepFool", model)
        self.iters = iters
    
    def forward(self, images, labels):
        images = images.to(self.device)
        labels = labels.to(self.device)
        
        for b in range(images.shape[0]) :
            
            image = images[b:b+1,:,:,:]
            label = labels[b:b+1]

            image.requires_grad = True
            output = self.model(image)[0]

            _, pre_0 = torch.max(output, 0)
            f_0 = output[pre_0]
            grad_f_0 = torch.autograd.grad(f_0, image, 
                                          retain_graph=False,
                                          create_graph=False)[0]
            num_classes = len(output)

            for i in range(self.iters):
                image.requires_grad = True
                output = self.model(image)[0]
                _, pre = torch.max(output, 0)

                if pre != pre_0 :
                    break

                r = None
                min_value = None

                for k in range(num_classes) :
                    if k == pre_0 :
                        continue

                    f_k = output[k]
                    grad_f_k = torch.autograd.grad(f_k, image, 
                                                  retain_graph=True,
                                                  create_graph=True)[0]

                    f_prime = f_k - f_0
                    grad_f_prime = grad_f_k - grad_f_0
                    value = torch.abs(f_prime)/torch.norm(grad_f_prime)

                    if r is None :
                        r = (torch.abs(f_prime)/(torch.norm(grad_f_prime)**2))*grad_f_prime
                        min_value = value
                    else :
                        if min_value > value :
                            r = (torch.abs(f_prime)/(torch.norm(grad_f_prime)**2))*grad_f_prime
                            min_value = value

                image = torch.clamp(image + r, min=0, max=1).detach()

            images[b:b+1,:,:,:] = image
            
        adv_images = images
            
        return adv_images
model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
attack = DeepFool(model, iters=3)
images = torch.rand(4, 1, 8, 8)
labels = torch.randint(0, 3, (4,))
adv_images = attack(images, labels)
