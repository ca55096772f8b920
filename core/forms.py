from django.contrib.auth import forms as auth_forms

from core.models import User


class UserCreationForm(auth_forms.UserCreationForm[User]):
    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "role", "organisation", "regions")


class UserChangeForm(auth_forms.UserChangeForm[User]):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"
